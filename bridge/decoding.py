"""Turns a BLE notification into a sample: the raw payload plus its decoded values.

Decoding is bridge.gatt (pure). What needs more than one frame is added here, per sensor:
cadence from crank revolutions (Cycling Power, CSC), and speed from wheel revolutions (CSC,
and Cycling Power's 1/2048 s wheel time). Each notification is one sample and carries the
fields of that notification only; the parts of a multi-part Indoor Bike Data record are
therefore separate samples (their fields do not overlap), exactly as the trainer sent them.
A malformed payload raises GattDecodeError: the caller counts it and drops the frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bridge.gatt import uuids
from bridge.gatt.csc import CscMeasurement, decode_csc_measurement
from bridge.gatt.cycling_power import CyclingPowerMeasurement, decode_cycling_power_measurement
from bridge.gatt.fields import GattValue
from bridge.gatt.registry import decode_characteristic
from bridge.gatt.revolutions import (
    CPS_WHEEL_TIME_BASE_HZ,
    DEFAULT_WHEEL_CIRCUMFERENCE_MM,
    CrankCadenceTracker,
    CscRateTracker,
    RevolutionRateTracker,
)
from bridge.outbox import NewSample

WHEEL_COUNT_MODULUS = 1 << 32


@dataclass(frozen=True)
class Notification:
    """What a BLE callback enqueues: nothing is decoded in the callback itself."""

    sensor_id: str
    characteristic: str  # full 128-bit UUID
    payload: bytes
    received_at: float  # wall clock, seconds since the epoch: the sample's device time
    received_monotonic: float  # for rates; never jumps


@dataclass
class _SensorTrackers:
    crank: CrankCadenceTracker = field(default_factory=CrankCadenceTracker)
    csc: CscRateTracker = field(default_factory=CscRateTracker)
    cps_wheel: RevolutionRateTracker = field(
        default_factory=lambda: RevolutionRateTracker(
            count_modulus=WHEEL_COUNT_MODULUS, time_base_hz=CPS_WHEEL_TIME_BASE_HZ
        )
    )


class SampleDecoder:
    def __init__(self, wheel_circumference_mm: float = DEFAULT_WHEEL_CIRCUMFERENCE_MM) -> None:
        self._wheel_mm = wheel_circumference_mm
        self._wheel_m = wheel_circumference_mm / 1000.0
        self._trackers: dict[str, _SensorTrackers] = {}

    def decode(self, notification: Notification) -> NewSample:
        characteristic = notification.characteristic
        payload = notification.payload
        if characteristic == uuids.CYCLING_POWER_MEASUREMENT:
            values = self._cycling_power(notification, decode_cycling_power_measurement(payload))
        elif characteristic == uuids.CSC_MEASUREMENT:
            values = self._csc(notification, decode_csc_measurement(payload))
        else:
            values = decode_characteristic(characteristic, payload)
        return NewSample(
            device_time=notification.received_at,
            sensor_id=notification.sensor_id,
            characteristic=uuids.short_uuid(characteristic),
            raw=payload,
            values=values,
        )

    def _cycling_power(
        self, notification: Notification, frame: CyclingPowerMeasurement
    ) -> dict[str, GattValue]:
        trackers = self._trackers_of(notification.sensor_id)
        values = frame.as_values()
        cadence = trackers.crank.update(frame, notification.received_monotonic)
        if cadence is not None:
            values["cadence_rpm"] = round(cadence, 1)
        wheel = None
        if frame.wheel_revolutions is not None and frame.last_wheel_event_2048 is not None:
            wheel = (frame.wheel_revolutions, frame.last_wheel_event_2048)
        if wheel is not None:
            rate = trackers.cps_wheel.update(wheel, notification.received_monotonic)
            if rate is not None:
                values["speed_kmh"] = round(rate * self._wheel_m * 3.6, 2)
        return values

    def _csc(self, notification: Notification, frame: CscMeasurement) -> dict[str, GattValue]:
        rates = self._trackers_of(notification.sensor_id).csc.update(
            frame, notification.received_monotonic
        )
        values = frame.as_values()
        if rates.cadence_rpm is not None:
            values["cadence_rpm"] = round(rates.cadence_rpm, 1)
        if rates.speed_kmh is not None:
            values["speed_kmh"] = round(rates.speed_kmh, 2)
        return values

    def _trackers_of(self, sensor_id: str) -> _SensorTrackers:
        trackers = self._trackers.get(sensor_id)
        if trackers is None:
            csc = CscRateTracker(wheel_circumference_mm=self._wheel_mm)
            trackers = self._trackers[sensor_id] = _SensorTrackers(csc=csc)
        return trackers
