"""Sensor readings of one second of a session (a "bin"), and how event values map to columns.

Every SampleRecorded event carries the values its sensor decoded. Each known value name feeds
one column of `samples`; several readings of a column within one second are averaged, except
cumulative ones (distance), where the reading with the latest device time wins. Heart-rate
RR intervals (`rr_1024`, in 1/1024 s) are kept as a list of milliseconds.

A bin is additive: merging readings in any order gives the same bin, which is what lets late
and out-of-order readings (a bridge draining its outbox) land exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# event value name -> samples column; averaged within a second.
AVERAGED: dict[str, str] = {
    "power_w": "power_w",
    "heart_rate_bpm": "heart_rate_bpm",
    "cadence_rpm": "cadence_rpm",
    "speed_kmh": "speed_kmh",
    "altitude_m": "altitude_m",
    "temperature_c": "temperature_c",
    "pedal_power_balance_pct": "power_balance_pct",
    "latitude_deg": "latitude_deg",
    "longitude_deg": "longitude_deg",
}
# event value name -> samples column; running totals, the latest reading wins.
CUMULATIVE: dict[str, str] = {
    "distance_m": "distance_m",
    "total_distance_m": "distance_m",
}
RR_1024 = "rr_1024"
RR_MS_PER_UNIT = 1000.0 / 1024.0

CHANNELS: tuple[str, ...] = (
    "power_w",
    "heart_rate_bpm",
    "cadence_rpm",
    "speed_kmh",
    "distance_m",
    "altitude_m",
    "temperature_c",
    "power_balance_pct",
    "latitude_deg",
    "longitude_deg",
)
CUMULATIVE_CHANNELS = frozenset(CUMULATIVE.values())


@dataclass
class Bin:
    """The readings of one second: sums and counts, latest running totals, RR intervals."""

    sums: dict[str, list[float]] = field(default_factory=dict)  # column -> [sum, count]
    latest: dict[str, list[float]] = field(default_factory=dict)  # column -> [time, value]
    rr_ms: list[float] = field(default_factory=list)

    def add_reading(self, device_time: float, values: Mapping[str, Any]) -> bool:
        """Adds one event's values; returns whether any of them feeds a column."""
        used = False
        for name, value in values.items():
            if name == RR_1024 and isinstance(value, list):
                self.rr_ms.extend(v * RR_MS_PER_UNIT for v in value if isinstance(v, int))
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if not math.isfinite(value):
                continue
            if name in AVERAGED:
                total = self.sums.setdefault(AVERAGED[name], [0.0, 0.0])
                total[0] += float(value)
                total[1] += 1.0
                used = True
            elif name in CUMULATIVE:
                column = CUMULATIVE[name]
                current = self.latest.get(column)
                if current is None or device_time >= current[0]:
                    self.latest[column] = [device_time, float(value)]
                used = True
        return used

    def merge(self, other: Bin) -> None:
        for column, (total, count) in other.sums.items():
            mine = self.sums.setdefault(column, [0.0, 0.0])
            mine[0] += total
            mine[1] += count
        for column, (time, value) in other.latest.items():
            current = self.latest.get(column)
            if current is None or time >= current[0]:
                self.latest[column] = [time, value]
        self.rr_ms.extend(other.rr_ms)

    def values(self) -> dict[str, float]:
        """One value per column: the mean of averaged columns, the latest running total."""
        out = {column: total / count for column, (total, count) in self.sums.items() if count}
        out.update({column: value for column, (_, value) in self.latest.items()})
        return out

    @property
    def has_values(self) -> bool:
        return bool(self.sums or self.latest)

    def to_json(self) -> dict[str, Any]:
        return {"s": self.sums, "l": self.latest, "rr": self.rr_ms}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Bin:
        return cls(
            sums={k: list(v) for k, v in data.get("s", {}).items()},
            latest={k: list(v) for k, v in data.get("l", {}).items()},
            rr_ms=list(data.get("rr", [])),
        )
