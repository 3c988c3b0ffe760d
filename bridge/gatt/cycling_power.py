"""Cycling Power Measurement (0x2A63, Cycling Power Service): decode and encode.

Layout: uint16 flags, sint16 instantaneous power (W), then the optional fields in flag order.
Wheel event time is in 1/2048 s, crank event time in 1/1024 s (both uint16, wrapping);
cadence and speed need two frames, see bridge.gatt.revolutions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bridge.gatt.errors import GattEncodeError
from bridge.gatt.fields import (
    Field,
    GattValue,
    fields_size,
    present_values,
    read_fields,
    require_at_least,
    require_length,
    write_fields,
)

CHARACTERISTIC = "Cycling Power Measurement"

_POWER = Field("power_w", "s16")
_BALANCE_LEFT_BIT = 1
_TORQUE_FROM_CRANK_BIT = 3
_ANGLES_BIT = 8
_OFFSET_COMPENSATION_BIT = 12
_ANGLES = Field("_extreme_angles", "u24")  # two uint12: max angle (low bits), min angle
# (flag bit, fields the bit announces), in wire order after the instantaneous power.
_GROUPS: tuple[tuple[int, tuple[Field, ...]], ...] = (
    (0, (Field("pedal_power_balance_pct", "u8", 2),)),
    (2, (Field("accumulated_torque_nm", "u16", 32),)),
    (4, (Field("wheel_revolutions", "u32"), Field("last_wheel_event_2048", "u16"))),
    (5, (Field("crank_revolutions", "u16"), Field("last_crank_event_1024", "u16"))),
    (6, (Field("max_force_n", "s16"), Field("min_force_n", "s16"))),
    (7, (Field("max_torque_nm", "s16", 32), Field("min_torque_nm", "s16", 32))),
    (_ANGLES_BIT, (_ANGLES,)),
    (9, (Field("top_dead_spot_deg", "u16"),)),
    (10, (Field("bottom_dead_spot_deg", "u16"),)),
    (11, (Field("accumulated_energy_kj", "u16"),)),
)


@dataclass(frozen=True)
class CyclingPowerMeasurement:
    """One notification; None means the field was not sent.

    pedal_power_balance_left: True when the balance refers to the left pedal (flag bit 1);
    accumulated_torque_from_crank: True when the torque source is the crank (flag bit 3).
    Both are None when their value field is absent. offset_compensation is flag bit 12.
    """

    power_w: int
    pedal_power_balance_pct: float | None = None
    pedal_power_balance_left: bool | None = None
    accumulated_torque_nm: float | None = None
    accumulated_torque_from_crank: bool | None = None
    wheel_revolutions: int | None = None
    last_wheel_event_2048: int | None = None
    crank_revolutions: int | None = None
    last_crank_event_1024: int | None = None
    max_force_n: int | None = None
    min_force_n: int | None = None
    max_torque_nm: float | None = None
    min_torque_nm: float | None = None
    max_angle_deg: int | None = None
    min_angle_deg: int | None = None
    top_dead_spot_deg: int | None = None
    bottom_dead_spot_deg: int | None = None
    accumulated_energy_kj: int | None = None
    offset_compensation: bool = False

    def as_values(self) -> dict[str, GattValue]:
        values = present_values(vars(self))
        if not self.offset_compensation:
            del values["offset_compensation"]
        return values


def decode_cycling_power_measurement(payload: bytes) -> CyclingPowerMeasurement:
    require_at_least(CHARACTERISTIC, "flags and instantaneous power", 4, payload)
    flags = int.from_bytes(payload[:2], "little")
    layout = _layout(flags)
    require_length(CHARACTERISTIC, f"flags 0x{flags:04x}", 2 + fields_size(layout), payload)
    values, _ = read_fields(payload, 2, layout)
    angles = values.pop(_ANGLES.name, None)
    if angles is not None:
        values["max_angle_deg"] = angles & 0x0FFF
        values["min_angle_deg"] = angles >> 12
    if values.get("pedal_power_balance_pct") is not None:
        values["pedal_power_balance_left"] = bool(flags & (1 << _BALANCE_LEFT_BIT))
    if values.get("accumulated_torque_nm") is not None:
        values["accumulated_torque_from_crank"] = bool(flags & (1 << _TORQUE_FROM_CRANK_BIT))
    values["offset_compensation"] = bool(flags & (1 << _OFFSET_COMPENSATION_BIT))
    return CyclingPowerMeasurement(**values)


def encode_cycling_power_measurement(measurement: CyclingPowerMeasurement) -> bytes:
    """Flags are derived from which fields are present; paired fields must come together."""
    values: dict[str, Any] = dict(vars(measurement))
    values[_ANGLES.name] = _pack_angles(measurement)
    flags = 0
    for bit, group in _GROUPS:
        present = [values[field.name] is not None for field in group]
        if all(present):
            flags |= 1 << bit
        elif any(present):
            names = " and ".join(field.name for field in group)
            raise GattEncodeError(CHARACTERISTIC, f"{names} must be given together")
    if measurement.pedal_power_balance_left:
        flags |= 1 << _BALANCE_LEFT_BIT
    if measurement.accumulated_torque_from_crank:
        flags |= 1 << _TORQUE_FROM_CRANK_BIT
    if measurement.offset_compensation:
        flags |= 1 << _OFFSET_COMPENSATION_BIT
    body = write_fields(values, _layout(flags), CHARACTERISTIC)
    return flags.to_bytes(2, "little") + body


def _layout(flags: int) -> list[Field]:
    layout = [_POWER]
    for bit, group in _GROUPS:
        if flags & (1 << bit):
            layout.extend(group)
    return layout


def _pack_angles(measurement: CyclingPowerMeasurement) -> int | None:
    high, low = measurement.max_angle_deg, measurement.min_angle_deg
    if high is None and low is None:
        return None
    if high is None or low is None:
        raise GattEncodeError(CHARACTERISTIC, "max_angle_deg and min_angle_deg go together")
    for name, angle in (("max_angle_deg", high), ("min_angle_deg", low)):
        if not 0 <= angle <= 0x0FFF:
            raise GattEncodeError(CHARACTERISTIC, f"{name}={angle} is outside 0..4095")
    return high | (low << 12)
