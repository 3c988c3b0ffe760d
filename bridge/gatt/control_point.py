"""Fitness Machine Control Point (0x2AD9): request encoders, response decoder, and the
server-side request decoder / response encoder the virtual trainer uses.

A request is `<op code> <parameters>`; the trainer answers each with an indication
`80 <request op code> <result code> [response parameters]`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from bridge.gatt.errors import GattDecodeError, GattEncodeError
from bridge.gatt.fields import (
    Field,
    GattValue,
    fields_size,
    read_fields,
    require_at_least,
    require_length,
    write_fields,
)
from bridge.gatt.fitness_machine import PAUSE, SIMULATION_FIELDS, STOP, SupportedPowerRange
from wire.limits import RESULT_NAMES as RESULT_NAMES  # the wire contract's codes, re-exported
from wire.limits import ResultCode as ResultCode

CHARACTERISTIC = "Fitness Machine Control Point"


class ControlOp(IntEnum):
    REQUEST_CONTROL = 0x00
    RESET = 0x01
    SET_TARGET_SPEED = 0x02
    SET_TARGET_INCLINATION = 0x03
    SET_TARGET_RESISTANCE = 0x04
    SET_TARGET_POWER = 0x05
    SET_TARGET_HEART_RATE = 0x06
    START_OR_RESUME = 0x07
    STOP_OR_PAUSE = 0x08
    SET_INDOOR_BIKE_SIMULATION = 0x11
    SET_WHEEL_CIRCUMFERENCE = 0x12
    SPIN_DOWN_CONTROL = 0x13
    SET_TARGETED_CADENCE = 0x14
    RESPONSE_CODE = 0x80


REQUEST_PARAMETERS: dict[int, tuple[Field, ...]] = {
    ControlOp.REQUEST_CONTROL: (),
    ControlOp.RESET: (),
    ControlOp.SET_TARGET_SPEED: (Field("target_speed_kmh", "u16", 100),),
    ControlOp.SET_TARGET_INCLINATION: (Field("target_inclination_pct", "s16", 10),),
    ControlOp.SET_TARGET_RESISTANCE: (Field("target_resistance", "u8", 10),),
    ControlOp.SET_TARGET_POWER: (Field("target_power_w", "s16"),),
    ControlOp.SET_TARGET_HEART_RATE: (Field("target_heart_rate_bpm", "u8"),),
    ControlOp.START_OR_RESUME: (),
    ControlOp.STOP_OR_PAUSE: (Field("stop_or_pause", "u8"),),
    ControlOp.SET_INDOOR_BIKE_SIMULATION: SIMULATION_FIELDS,
    ControlOp.SET_WHEEL_CIRCUMFERENCE: (Field("wheel_circumference_mm", "u16", 10),),
    ControlOp.SPIN_DOWN_CONTROL: (Field("spin_down_control", "u8"),),
    ControlOp.SET_TARGETED_CADENCE: (Field("targeted_cadence_rpm", "u16", 2),),
}


def _request(op: ControlOp, **parameters: Any) -> bytes:
    return bytes([op]) + write_fields(parameters, REQUEST_PARAMETERS[op], CHARACTERISTIC)


def encode_request_control() -> bytes:
    return _request(ControlOp.REQUEST_CONTROL)


def encode_reset() -> bytes:
    return _request(ControlOp.RESET)


def encode_set_target_resistance(level: float) -> bytes:
    """Unitless level, resolution 0.1, 0..25.5 (uint8 on the wire); outside raises."""
    return _request(ControlOp.SET_TARGET_RESISTANCE, target_resistance=level)


def encode_set_target_power(watts: float) -> bytes:
    """Rounded to whole watts; outside sint16 raises. Clamp to the trainer's range first
    with `clamp_target_power`."""
    return _request(ControlOp.SET_TARGET_POWER, target_power_w=watts)


def encode_start_or_resume() -> bytes:
    return _request(ControlOp.START_OR_RESUME)


def encode_stop_or_pause(*, pause: bool = False) -> bytes:
    return _request(ControlOp.STOP_OR_PAUSE, stop_or_pause=PAUSE if pause else STOP)


def encode_set_indoor_bike_simulation(
    *,
    grade_pct: float,
    wind_speed_mps: float = 0.0,
    crr: float = 0.004,
    cw_kg_per_m: float = 0.51,
) -> bytes:
    """Wind sint16 0.001 m/s, grade sint16 0.01 %, crr uint8 0.0001, cw uint8 0.01 kg/m.
    Values are rounded to the resolution; a value outside its field raises GattEncodeError."""
    return _request(
        ControlOp.SET_INDOOR_BIKE_SIMULATION,
        wind_speed_mps=wind_speed_mps,
        grade_pct=grade_pct,
        crr=crr,
        cw_kg_per_m=cw_kg_per_m,
    )


def clamp_target_power(watts: float, supported_range: SupportedPowerRange) -> int:
    """The nearest power the trainer accepts: inside [minimum, maximum], on the increment."""
    if isinstance(watts, bool) or not math.isfinite(watts):
        raise GattEncodeError(CHARACTERISTIC, f"target power {watts!r} is not a finite number")
    low, high = supported_range.minimum_w, supported_range.maximum_w
    step = max(supported_range.increment_w, 1)
    clamped = min(max(watts, low), high)
    value = low + round((clamped - low) / step) * step
    return int(value - step if value > high else value)


@dataclass(frozen=True)
class ControlPointResponse:
    request_op_code: int
    result_code: int
    result: str
    response_parameters: bytes = b""

    @property
    def succeeded(self) -> bool:
        return self.result_code == ResultCode.SUCCESS

    def as_values(self) -> dict[str, GattValue]:
        return {"request_op_code": self.request_op_code, "result_code": self.result_code}


def decode_control_point_response(payload: bytes) -> ControlPointResponse:
    """Decode the indication `80 <request op> <result> [parameters]`."""
    require_at_least(CHARACTERISTIC, "a response", 3, payload)
    if payload[0] != ControlOp.RESPONSE_CODE:
        raise GattDecodeError(
            CHARACTERISTIC, f"op code 0x{payload[0]:02x} is not a response (0x80)"
        )
    result_code = payload[2]
    name = RESULT_NAMES.get(result_code, f"reserved_0x{result_code:02x}")
    return ControlPointResponse(payload[1], result_code, name, bytes(payload[3:]))


def encode_control_point_response(request_op_code: int, result_code: int) -> bytes:
    if not 0 <= request_op_code <= 0xFF or not 0 <= result_code <= 0xFF:
        raise GattEncodeError(CHARACTERISTIC, "op code and result code are single bytes")
    return bytes([ControlOp.RESPONSE_CODE, request_op_code, result_code])


@dataclass(frozen=True)
class ControlPointRequest:
    """known is False for an op code this module has no layout for (its bytes are kept)."""

    op_code: int
    parameters: dict[str, Any] = field(default_factory=dict)
    known: bool = True
    raw_parameters: bytes = b""


def decode_control_point_request(payload: bytes) -> ControlPointRequest:
    """Server side: parse a client's write. Wrong parameter length raises GattDecodeError."""
    require_at_least(CHARACTERISTIC, "an op code", 1, payload)
    op_code = payload[0]
    if op_code not in REQUEST_PARAMETERS:
        return ControlPointRequest(op_code, known=False, raw_parameters=bytes(payload[1:]))
    layout = REQUEST_PARAMETERS[op_code]
    require_length(CHARACTERISTIC, f"op code 0x{op_code:02x}", 1 + fields_size(layout), payload)
    parameters, _ = read_fields(payload, 1, layout)
    return ControlPointRequest(op_code, parameters, raw_parameters=bytes(payload[1:]))
