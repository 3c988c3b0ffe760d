"""CSC Measurement (0x2A5B, Cycling Speed and Cadence Service): decode and encode.

Flags (uint8): bit 0 wheel revolution data (uint32 cumulative revolutions, uint16 last wheel
event time in 1/1024 s), bit 1 crank revolution data (uint16 cumulative revolutions, uint16
last crank event time in 1/1024 s). Speed and cadence need two frames: `csc_rates` and
`CscRateTracker` in bridge.gatt.revolutions.
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

CHARACTERISTIC = "CSC Measurement"

_GROUPS: tuple[tuple[int, tuple[Field, ...]], ...] = (
    (0, (Field("wheel_revolutions", "u32"), Field("last_wheel_event_1024", "u16"))),
    (1, (Field("crank_revolutions", "u16"), Field("last_crank_event_1024", "u16"))),
)


@dataclass(frozen=True)
class CscMeasurement:
    wheel_revolutions: int | None = None
    last_wheel_event_1024: int | None = None
    crank_revolutions: int | None = None
    last_crank_event_1024: int | None = None

    def as_values(self) -> dict[str, GattValue]:
        return present_values(vars(self))


def decode_csc_measurement(payload: bytes) -> CscMeasurement:
    require_at_least(CHARACTERISTIC, "flags", 1, payload)
    flags = payload[0]
    layout = [field for bit, group in _GROUPS if flags & (1 << bit) for field in group]
    require_length(CHARACTERISTIC, f"flags 0x{flags:02x}", 1 + fields_size(layout), payload)
    values, _ = read_fields(payload, 1, layout)
    return CscMeasurement(**values)


def encode_csc_measurement(measurement: CscMeasurement) -> bytes:
    values: dict[str, Any] = vars(measurement)
    flags = 0
    body = b""
    for bit, group in _GROUPS:
        present = [values[field.name] is not None for field in group]
        if all(present):
            flags |= 1 << bit
            body += write_fields(values, group, CHARACTERISTIC)
        elif any(present):
            names = " and ".join(field.name for field in group)
            raise GattEncodeError(CHARACTERISTIC, f"{names} must be given together")
    return bytes([flags]) + body
