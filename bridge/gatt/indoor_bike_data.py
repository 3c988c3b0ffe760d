"""Indoor Bike Data (0x2AD2, Fitness Machine Service): decode, encode, multi-part assembly.

Flags are a uint16. Bit 0 is "More Data" and is inverted with respect to every other bit:
the Instantaneous Speed field is present when bit 0 is **0**. A record too large for one
notification is split: every part but the last has bit 0 set (so carries no speed), the last
part has bit 0 clear and carries the speed. Each part decodes on its own into the fields it
carries; `IndoorBikeDataAssembler` merges parts into whole records.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

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

CHARACTERISTIC = "Indoor Bike Data"

MORE_DATA_BIT = 0
_SPEED = (Field("speed_kmh", "u16", 100),)
# (flag bit, fields the bit announces), in wire order after the speed.
_GROUPS: tuple[tuple[int, tuple[Field, ...]], ...] = (
    (1, (Field("average_speed_kmh", "u16", 100),)),
    (2, (Field("cadence_rpm", "u16", 2),)),
    (3, (Field("average_cadence_rpm", "u16", 2),)),
    (4, (Field("total_distance_m", "u24"),)),
    (5, (Field("resistance", "s16"),)),
    (6, (Field("power_w", "s16"),)),
    (7, (Field("average_power_w", "s16"),)),
    (
        8,
        (
            Field("energy_total_kcal", "u16", unavailable=0xFFFF),
            Field("energy_per_hour_kcal", "u16", unavailable=0xFFFF),
            Field("energy_per_minute_kcal", "u8", unavailable=0xFF),
        ),
    ),
    (9, (Field("heart_rate_bpm", "u8"),)),
    (10, (Field("metabolic_equivalent", "u8", 10),)),
    (11, (Field("elapsed_s", "u16"),)),
    (12, (Field("remaining_s", "u16"),)),
)


@dataclass(frozen=True)
class IndoorBikeData:
    """One notification (or a merged record); None means the field was not sent.

    resistance is the unitless Resistance Level field (resolution 1). The energy fields
    are None when absent or sent as the spec's "not available" value (0xFFFF / 0xFF).
    """

    speed_kmh: float | None = None
    average_speed_kmh: float | None = None
    cadence_rpm: float | None = None
    average_cadence_rpm: float | None = None
    total_distance_m: int | None = None
    resistance: int | None = None
    power_w: int | None = None
    average_power_w: int | None = None
    energy_total_kcal: int | None = None
    energy_per_hour_kcal: int | None = None
    energy_per_minute_kcal: int | None = None
    heart_rate_bpm: int | None = None
    metabolic_equivalent: float | None = None
    elapsed_s: int | None = None
    remaining_s: int | None = None

    @property
    def more_data(self) -> bool:
        """True for a part that more parts of the same record follow (flag bit 0 set)."""
        return self.speed_kmh is None

    def as_values(self) -> dict[str, GattValue]:
        return present_values(vars(self))


def decode_indoor_bike_data(payload: bytes) -> IndoorBikeData:
    require_at_least(CHARACTERISTIC, "flags", 2, payload)
    flags = int.from_bytes(payload[:2], "little")
    layout = _layout(flags)
    require_length(CHARACTERISTIC, f"flags 0x{flags:04x}", 2 + fields_size(layout), payload)
    values, _ = read_fields(payload, 2, layout)
    return IndoorBikeData(**values)


def encode_indoor_bike_data(data: IndoorBikeData) -> bytes:
    """Flags are derived from which fields are present; bit 0 is set when speed is absent."""
    values: dict[str, Any] = vars(data)
    flags = 0 if data.speed_kmh is not None else 1 << MORE_DATA_BIT
    for bit, group in _GROUPS:
        if any(values[field.name] is not None for field in group):
            flags |= 1 << bit
    body = write_fields(values, _layout(flags), CHARACTERISTIC)
    return flags.to_bytes(2, "little") + body


def _layout(flags: int) -> list[Field]:
    layout = [] if flags & (1 << MORE_DATA_BIT) else list(_SPEED)
    for bit, group in _GROUPS:
        if flags & (1 << bit):
            layout.extend(group)
    return layout


class IndoorBikeDataAssembler:
    """Merges the parts of a multi-part record into whole `IndoorBikeData` records.

    `push` returns the records completed by this part: the merged record when the last part
    (bit 0 clear, speed present) arrives; nothing while parts with bit 0 set accumulate.
    Single-part records (the common case) come straight back. A machine that never sends
    speed sets bit 0 on every notification: a part repeating a field already pending closes
    the pending record, so such a machine's records come out one notification late (or via
    `flush`). Pure and deterministic: no clock, no I/O.
    """

    def __init__(self) -> None:
        self._pending: IndoorBikeData | None = None

    def push(self, part: IndoorBikeData) -> list[IndoorBikeData]:
        completed: list[IndoorBikeData] = []
        if self._pending is not None and _overlaps(self._pending, part):
            completed.append(self._pending)
            self._pending = None
        merged = part if self._pending is None else _merge(self._pending, part)
        if part.more_data:
            self._pending = merged
        else:
            self._pending = None
            completed.append(merged)
        return completed

    def flush(self) -> IndoorBikeData | None:
        """Give up waiting for the last part and return what has been collected."""
        pending, self._pending = self._pending, None
        return pending


def _overlaps(first: IndoorBikeData, second: IndoorBikeData) -> bool:
    return any(
        getattr(first, f.name) is not None and getattr(second, f.name) is not None
        for f in fields(IndoorBikeData)
    )


def _merge(first: IndoorBikeData, second: IndoorBikeData) -> IndoorBikeData:
    updates = {name: value for name, value in vars(second).items() if value is not None}
    return replace(first, **updates)
