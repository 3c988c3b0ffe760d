"""Cadence and speed from cumulative revolution counts and event times (CPS and CSC).

A sensor reports a cumulative revolution count and the time of the last revolution event
(uint16, 1/1024 s; CPS wheel time in 1/2048 s). A rate needs two frames:

    rate = (revolutions difference) / (event time difference)

Both differences are taken modulo their counter size, so a 16-bit event time (wrapping every
64 s at 1/1024 s) and a 16-bit crank count (or 32-bit wheel count) may wrap between frames.

Stop rules (a stopped crank simply stops updating its count and time):
- two frames with the same count carry no new information: the two-frame functions return
  None ("hold the previous value");
- a revolution period longer than STOP_AFTER_S (3 s, i.e. under 20 rpm) counts as stopped: 0;
- the trackers, fed the arrival time of each notification, report 0 once no new revolution
  has arrived for more than STOP_AFTER_S, and treat a revolution arriving after a pause
  longer than one event-time wrap (64 s) as a restart (0), since the time difference is then
  ambiguous.
Everything here is pure: arrival times are passed in by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bridge.gatt.csc import CscMeasurement
from bridge.gatt.cycling_power import CyclingPowerMeasurement

STOP_AFTER_S = 3.0
DEFAULT_WHEEL_CIRCUMFERENCE_MM = 2105
CRANK_TIME_BASE_HZ = 1024
CSC_WHEEL_TIME_BASE_HZ = 1024
CPS_WHEEL_TIME_BASE_HZ = 2048
_EVENT_TIME_MODULUS = 1 << 16
_CRANK_COUNT_MODULUS = 1 << 16
_WHEEL_COUNT_MODULUS = 1 << 32


class CrankData(Protocol):
    @property
    def crank_revolutions(self) -> int | None: ...

    @property
    def last_crank_event_1024(self) -> int | None: ...


def revolutions_per_second(
    previous: tuple[int, int],
    current: tuple[int, int],
    *,
    count_modulus: int,
    time_base_hz: int,
    stop_after_s: float = STOP_AFTER_S,
) -> float | None:
    """Rate between two (count, event time) samples; None when there is no new revolution."""
    revolutions = (current[0] - previous[0]) % count_modulus
    ticks = (current[1] - previous[1]) % _EVENT_TIME_MODULUS
    if revolutions == 0 or ticks == 0:
        return None
    seconds = ticks / time_base_hz
    if seconds / revolutions > stop_after_s:
        return 0.0
    return revolutions / seconds


def cadence_from_crank(previous: CrankData, current: CrankData) -> float | None:
    """Crank cadence in rpm between two frames (CPS or CSC); None if it cannot be computed."""
    before = _crank_sample(previous)
    after = _crank_sample(current)
    if before is None or after is None:
        return None
    rate = revolutions_per_second(
        before, after, count_modulus=_CRANK_COUNT_MODULUS, time_base_hz=CRANK_TIME_BASE_HZ
    )
    return None if rate is None else rate * 60.0


def speed_from_wheel(
    previous: CscMeasurement | CyclingPowerMeasurement,
    current: CscMeasurement | CyclingPowerMeasurement,
    *,
    wheel_circumference_mm: float = DEFAULT_WHEEL_CIRCUMFERENCE_MM,
) -> float | None:
    """Wheel speed in km/h between two frames of the same kind; None if not computable."""
    before, base = _wheel_sample(previous)
    after, _ = _wheel_sample(current)
    if before is None or after is None:
        return None
    rate = revolutions_per_second(
        before, after, count_modulus=_WHEEL_COUNT_MODULUS, time_base_hz=base
    )
    return None if rate is None else rate * wheel_circumference_mm / 1000.0 * 3.6


@dataclass(frozen=True)
class CscRates:
    speed_kmh: float | None
    cadence_rpm: float | None


def csc_rates(
    previous: CscMeasurement,
    current: CscMeasurement,
    *,
    wheel_circumference_mm: float = DEFAULT_WHEEL_CIRCUMFERENCE_MM,
) -> CscRates:
    """Speed and cadence from a CSC frame and the one before it."""
    return CscRates(
        speed_from_wheel(previous, current, wheel_circumference_mm=wheel_circumference_mm),
        cadence_from_crank(previous, current),
    )


class RevolutionRateTracker:
    """Revolutions per second over a stream of samples, with the stop rules above."""

    def __init__(
        self, *, count_modulus: int, time_base_hz: int, stop_after_s: float = STOP_AFTER_S
    ) -> None:
        self._count_modulus = count_modulus
        self._time_base_hz = time_base_hz
        self._stop_after_s = stop_after_s
        self._wrap_s = _EVENT_TIME_MODULUS / time_base_hz
        self._last: tuple[int, int] | None = None
        self._last_revolution_at: float | None = None
        self._rate: float | None = None

    def update(self, sample: tuple[int, int] | None, received_s: float) -> float | None:
        """Feed one frame's (count, event time), or None if it had none; returns the rate."""
        if sample is not None and (self._last is None or sample[0] != self._last[0]):
            if self._last is not None and self._last_revolution_at is not None:
                if received_s - self._last_revolution_at >= self._wrap_s:
                    self._rate = 0.0
                else:
                    rate = revolutions_per_second(
                        self._last,
                        sample,
                        count_modulus=self._count_modulus,
                        time_base_hz=self._time_base_hz,
                        stop_after_s=self._stop_after_s,
                    )
                    self._rate = self._rate if rate is None else rate
            self._last = sample
            self._last_revolution_at = received_s
            return self._rate
        if (
            self._last_revolution_at is not None
            and received_s - self._last_revolution_at > self._stop_after_s
        ):
            self._rate = 0.0
        return self._rate


class CrankCadenceTracker:
    """Cadence in rpm from successive CPS or CSC frames and their arrival times (seconds)."""

    def __init__(self, *, stop_after_s: float = STOP_AFTER_S) -> None:
        self._tracker = RevolutionRateTracker(
            count_modulus=_CRANK_COUNT_MODULUS,
            time_base_hz=CRANK_TIME_BASE_HZ,
            stop_after_s=stop_after_s,
        )

    def update(self, frame: CrankData, received_s: float) -> float | None:
        rate = self._tracker.update(_crank_sample(frame), received_s)
        return None if rate is None else rate * 60.0


class CscRateTracker:
    """Speed (km/h) and cadence (rpm) from successive CSC frames and their arrival times."""

    def __init__(
        self,
        *,
        wheel_circumference_mm: float = DEFAULT_WHEEL_CIRCUMFERENCE_MM,
        stop_after_s: float = STOP_AFTER_S,
    ) -> None:
        self._circumference_m = wheel_circumference_mm / 1000.0
        self._wheel = RevolutionRateTracker(
            count_modulus=_WHEEL_COUNT_MODULUS,
            time_base_hz=CSC_WHEEL_TIME_BASE_HZ,
            stop_after_s=stop_after_s,
        )
        self._crank = CrankCadenceTracker(stop_after_s=stop_after_s)

    def update(self, frame: CscMeasurement, received_s: float) -> CscRates:
        wheel_rate = self._wheel.update(_wheel_sample(frame)[0], received_s)
        speed = None if wheel_rate is None else wheel_rate * self._circumference_m * 3.6
        return CscRates(speed, self._crank.update(frame, received_s))


def _crank_sample(frame: CrankData) -> tuple[int, int] | None:
    if frame.crank_revolutions is None or frame.last_crank_event_1024 is None:
        return None
    return frame.crank_revolutions, frame.last_crank_event_1024


def _wheel_sample(
    frame: CscMeasurement | CyclingPowerMeasurement,
) -> tuple[tuple[int, int] | None, int]:
    if isinstance(frame, CscMeasurement):
        time, base = frame.last_wheel_event_1024, CSC_WHEEL_TIME_BASE_HZ
    else:
        time, base = frame.last_wheel_event_2048, CPS_WHEEL_TIME_BASE_HZ
    if frame.wheel_revolutions is None or time is None:
        return None, base
    return (frame.wheel_revolutions, time), base
