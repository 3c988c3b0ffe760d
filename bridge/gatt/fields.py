"""Little-endian GATT fields described as data, shared by the characteristic codecs.

A `Field` is one value on the wire: an integer format plus a divisor (the field's resolution
is 1/divisor; dividing keeps e.g. 2241 / 100 == 22.41 exactly, unlike 2241 * 0.01).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bridge.gatt.errors import GattDecodeError, GattEncodeError

GattValue = float | int | bool | list[int]
"""What `as_values()` and `decode_characteristic` put in their dicts."""

# format -> (size in bytes, signed)
FORMATS: dict[str, tuple[int, bool]] = {
    "u8": (1, False),
    "s8": (1, True),
    "u16": (2, False),
    "s16": (2, True),
    "u24": (3, False),
    "u32": (4, False),
}


@dataclass(frozen=True)
class Field:
    name: str
    fmt: str
    divisor: int = 1
    unavailable: int | None = None  # raw value meaning "not available", decoded as None

    @property
    def size(self) -> int:
        return FORMATS[self.fmt][0]

    def raw_range(self) -> tuple[int, int]:
        size, signed = FORMATS[self.fmt]
        if signed:
            return -(1 << (8 * size - 1)), (1 << (8 * size - 1)) - 1
        return 0, (1 << (8 * size)) - 1

    def decode(self, payload: bytes, offset: int) -> int | float | None:
        size, signed = FORMATS[self.fmt]
        raw = int.from_bytes(payload[offset : offset + size], "little", signed=signed)
        if self.unavailable is not None and raw == self.unavailable:
            return None
        return raw if self.divisor == 1 else raw / self.divisor

    def encode(self, value: float | None, characteristic: str) -> bytes:
        size, signed = FORMATS[self.fmt]
        if value is None:
            if self.unavailable is None:
                raise GattEncodeError(characteristic, f"{self.name} is required")
            raw = self.unavailable
        else:
            raw = to_raw(value, self.divisor, self.name, characteristic)
            low, high = self.raw_range()
            if raw == self.unavailable:
                raise GattEncodeError(
                    characteristic, f"{self.name}={value} is the 'not available' value; use None"
                )
            if not low <= raw <= high:
                raise GattEncodeError(
                    characteristic,
                    f"{self.name}={value} is outside {low / self.divisor}..{high / self.divisor}",
                )
        return raw.to_bytes(size, "little", signed=signed)


def to_raw(value: float, divisor: int, name: str, characteristic: str) -> int:
    if isinstance(value, bool) or not math.isfinite(value):
        raise GattEncodeError(characteristic, f"{name}={value!r} is not a finite number")
    return round(value * divisor)


def fields_size(fields: Iterable[Field]) -> int:
    return sum(field.size for field in fields)


def require_length(characteristic: str, flags_text: str, expected: int, payload: bytes) -> None:
    """Reject a payload whose length does not match what its flags announce."""
    if len(payload) != expected:
        raise GattDecodeError(
            characteristic, f"{flags_text} need {expected} bytes, got {len(payload)}"
        )


def require_at_least(characteristic: str, what: str, expected: int, payload: bytes) -> None:
    if len(payload) < expected:
        raise GattDecodeError(characteristic, f"{what} need {expected} bytes, got {len(payload)}")


def read_fields(payload: bytes, offset: int, fields: Iterable[Field]) -> tuple[dict[str, Any], int]:
    """Decode consecutive fields; the caller has already checked the payload is long enough."""
    values: dict[str, Any] = {}
    for field in fields:
        values[field.name] = field.decode(payload, offset)
        offset += field.size
    return values, offset


def write_fields(values: Mapping[str, Any], fields: Iterable[Field], characteristic: str) -> bytes:
    return b"".join(field.encode(values[field.name], characteristic) for field in fields)


def present_values(values: Mapping[str, Any]) -> dict[str, GattValue]:
    """Keep only the fields that are present (not None)."""
    return {name: value for name, value in values.items() if value is not None}
