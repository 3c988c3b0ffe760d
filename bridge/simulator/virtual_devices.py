"""A virtual FTMS smart trainer speaking real GATT payloads, on top of TrainerPhysics.

`notifications(dt)` advances the physics and returns what a trainer would notify: queued
Fitness Machine Status events, Indoor Bike Data, and optionally a Cycling Power Measurement
with crank revolution data. `handle_control_point(payload)` answers a control point write
with the indication bytes `80 <op> <result>`, following the FTMS procedure: control must be
requested first (else result 5), a target power is clamped to the supported power range.
"""

from __future__ import annotations

import math

from bridge.gatt.control_point import (
    ControlOp,
    ResultCode,
    clamp_target_power,
    decode_control_point_request,
    encode_control_point_response,
)
from bridge.gatt.cycling_power import CyclingPowerMeasurement, encode_cycling_power_measurement
from bridge.gatt.errors import GattDecodeError
from bridge.gatt.fitness_machine import (
    PAUSE,
    STOP,
    FitnessMachineFeature,
    SupportedPowerRange,
    SupportedResistanceLevelRange,
    encode_fitness_machine_feature,
    encode_fitness_machine_status,
    encode_supported_power_range,
    encode_supported_resistance_level_range,
)
from bridge.gatt.indoor_bike_data import IndoorBikeData, encode_indoor_bike_data
from bridge.gatt.uuids import (
    CYCLING_POWER_MEASUREMENT,
    FITNESS_MACHINE_FEATURE,
    FITNESS_MACHINE_STATUS,
    INDOOR_BIKE_DATA,
    SUPPORTED_POWER_RANGE,
    SUPPORTED_RESISTANCE_LEVEL_RANGE,
    normalize_uuid,
)
from bridge.simulator.errors import ControlPointWriteRejected, SimulatorError
from bridge.simulator.physics import TrainerPhysics, TrainerState

DEFAULT_POWER_RANGE = SupportedPowerRange(minimum_w=0, maximum_w=2000, increment_w=1)
DEFAULT_RESISTANCE_RANGE = SupportedResistanceLevelRange(minimum=0.0, maximum=25.5, increment=0.1)
FEATURES = FitnessMachineFeature(
    machine_features=frozenset(
        {"cadence", "total_distance", "resistance_level", "power_measurement", "elapsed_time"}
    ),
    target_setting_features=frozenset(
        {"resistance_target", "power_target", "indoor_bike_simulation"}
    ),
)
_ATT_INVALID_ATTRIBUTE_VALUE_LENGTH = 0x0D
_SUPPORTED_OPS = frozenset(
    {
        ControlOp.REQUEST_CONTROL,
        ControlOp.RESET,
        ControlOp.SET_TARGET_RESISTANCE,
        ControlOp.SET_TARGET_POWER,
        ControlOp.START_OR_RESUME,
        ControlOp.STOP_OR_PAUSE,
        ControlOp.SET_INDOOR_BIKE_SIMULATION,
    }
)

Notification = tuple[str, bytes]


class VirtualTrainer:
    def __init__(
        self,
        physics: TrainerPhysics | None = None,
        *,
        seed: int = 0,
        power_range: SupportedPowerRange = DEFAULT_POWER_RANGE,
        with_cycling_power: bool = False,
    ) -> None:
        self.physics = physics or TrainerPhysics(seed=seed)
        self.power_range = power_range
        self.with_cycling_power = with_cycling_power
        self.has_control = False
        self._status_queue: list[bytes] = []

    def notifications(self, dt: float) -> list[Notification]:
        state = self.physics.step(dt)
        out: list[Notification] = [(FITNESS_MACHINE_STATUS, p) for p in self._status_queue]
        self._status_queue.clear()
        out.append((INDOOR_BIKE_DATA, encode_indoor_bike_data(indoor_bike_data(state))))
        if self.with_cycling_power:
            payload = encode_cycling_power_measurement(cycling_power_measurement(state))
            out.append((CYCLING_POWER_MEASUREMENT, payload))
        return out

    def read(self, characteristic: str) -> bytes:
        """Value of a readable FTMS characteristic (feature, supported ranges)."""
        uuid = normalize_uuid(characteristic)
        if uuid == FITNESS_MACHINE_FEATURE:
            return encode_fitness_machine_feature(FEATURES)
        if uuid == SUPPORTED_POWER_RANGE:
            return encode_supported_power_range(self.power_range)
        if uuid == SUPPORTED_RESISTANCE_LEVEL_RANGE:
            return encode_supported_resistance_level_range(DEFAULT_RESISTANCE_RANGE)
        raise SimulatorError(f"{characteristic} is not readable on the virtual trainer")

    def handle_control_point(self, payload: bytes) -> bytes:
        """Apply one control point write; return the indication `80 <op> <result>`."""
        if not payload:
            raise ControlPointWriteRejected(_ATT_INVALID_ATTRIBUTE_VALUE_LENGTH, "empty write")
        op = payload[0]
        return encode_control_point_response(op, self._apply(op, payload))

    def _apply(self, op: int, payload: bytes) -> ResultCode:
        if op not in _SUPPORTED_OPS:
            return ResultCode.NOT_SUPPORTED
        try:
            parameters = decode_control_point_request(payload).parameters
        except GattDecodeError:
            return ResultCode.INVALID_PARAMETER
        if op == ControlOp.REQUEST_CONTROL:
            self.has_control = True
            return ResultCode.SUCCESS
        if not self.has_control:
            return ResultCode.CONTROL_NOT_PERMITTED
        if op == ControlOp.RESET:
            self.physics.reset()
            self.has_control = False  # the client requests control again after a reset
            self._queue_status("reset")
        elif op == ControlOp.SET_TARGET_POWER:
            watts = clamp_target_power(parameters["target_power_w"], self.power_range)
            self.physics.set_target_power(watts)
            self._queue_status("target_power_changed", target_power_w=watts)
        elif op == ControlOp.SET_TARGET_RESISTANCE:
            level = _clamp(parameters["target_resistance"], DEFAULT_RESISTANCE_RANGE)
            self.physics.set_resistance(level)
            self._queue_status("target_resistance_changed", target_resistance=level)
        elif op == ControlOp.START_OR_RESUME:
            self.physics.start()
            self._queue_status("started_or_resumed_by_user")
        elif op == ControlOp.STOP_OR_PAUSE:
            return self._stop_or_pause(parameters["stop_or_pause"])
        else:
            self.physics.set_simulation(
                grade_pct=parameters["grade_pct"],
                wind_speed_mps=parameters["wind_speed_mps"],
                crr=parameters["crr"],
                cw_kg_per_m=parameters["cw_kg_per_m"],
            )
            self._queue_status("indoor_bike_simulation_changed", **parameters)
        return ResultCode.SUCCESS

    def _stop_or_pause(self, code: int) -> ResultCode:
        if code == STOP:
            self.physics.stop()
        elif code == PAUSE:
            self.physics.pause()
        else:
            return ResultCode.INVALID_PARAMETER
        self._queue_status("stopped_or_paused_by_user", stop_or_pause=code)
        return ResultCode.SUCCESS

    def _queue_status(self, event: str, **parameters: float) -> None:
        self._status_queue.append(encode_fitness_machine_status(event, **parameters))


def indoor_bike_data(state: TrainerState) -> IndoorBikeData:
    """The Indoor Bike Data a trainer in this state sends (resistance as a whole level)."""
    return IndoorBikeData(
        speed_kmh=round(state.speed_kmh, 2),
        cadence_rpm=round(state.cadence_rpm * 2) / 2,
        total_distance_m=math.floor(state.distance_m) % (1 << 24),
        resistance=round(state.resistance_level),
        power_w=round(state.power_w),
        elapsed_s=math.floor(state.elapsed_s) % (1 << 16),
    )


def cycling_power_measurement(state: TrainerState) -> CyclingPowerMeasurement:
    """Power plus crank revolution data (uint16 counters, wrapping like a real meter's)."""
    return CyclingPowerMeasurement(
        power_w=round(state.power_w),
        crank_revolutions=state.crank_revolutions % (1 << 16),
        last_crank_event_1024=round(state.last_crank_event_s * 1024) % (1 << 16),
    )


def _clamp(level: float, level_range: SupportedResistanceLevelRange) -> float:
    return min(max(level, level_range.minimum), level_range.maximum)
