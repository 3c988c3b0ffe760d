"""Training zones from a threshold, and time spent in each zone.

Power: Coggan's 7 levels as fractions of FTP. Heart rate: Coggan's 5 levels as fractions of
threshold (LTHR). Each zone includes its upper bound: 55 % of FTP is still zone 1, the next
watt above is zone 2. The last zone is open-ended; the first starts at 0 (so coasting at 0 W
counts in zone 1).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from domain.metrics.errors import InvalidThresholdError

# (name, upper bound as a fraction of threshold); the last zone has no upper bound.
COGGAN_POWER_LEVELS: tuple[tuple[str, float | None], ...] = (
    ("Z1 Active recovery", 0.55),
    ("Z2 Endurance", 0.75),
    ("Z3 Tempo", 0.90),
    ("Z4 Lactate threshold", 1.05),
    ("Z5 VO2max", 1.20),
    ("Z6 Anaerobic capacity", 1.50),
    ("Z7 Neuromuscular power", None),
)

COGGAN_HR_LEVELS: tuple[tuple[str, float | None], ...] = (
    ("Z1 Active recovery", 0.68),
    ("Z2 Endurance", 0.83),
    ("Z3 Tempo", 0.94),
    ("Z4 Lactate threshold", 1.05),
    ("Z5 VO2max", None),
)


@dataclass(frozen=True)
class Zone:
    """Values ``low < v <= high`` (``low`` inclusive for the first zone, ``high`` None = open)."""

    name: str
    low: float
    high: float | None


def zones_from_threshold(
    threshold: float, levels: Sequence[tuple[str, float | None]]
) -> tuple[Zone, ...]:
    if not threshold > 0:
        raise InvalidThresholdError(f"zone threshold must be positive, got {threshold}")
    zones: list[Zone] = []
    low = 0.0
    for name, fraction in levels:
        high = None if fraction is None else fraction * threshold
        zones.append(Zone(name=name, low=low, high=high))
        if high is not None:
            low = high
    return tuple(zones)


def power_zones(ftp_w: float) -> tuple[Zone, ...]:
    return zones_from_threshold(ftp_w, COGGAN_POWER_LEVELS)


def heart_rate_zones(threshold_hr_bpm: float) -> tuple[Zone, ...]:
    return zones_from_threshold(threshold_hr_bpm, COGGAN_HR_LEVELS)


def zone_index(value: float, zones: Sequence[Zone]) -> int:
    """0-based index of the zone holding ``value``."""
    uppers = [z.high for z in zones if z.high is not None]
    return min(bisect.bisect_left(uppers, value), len(zones) - 1)


def time_in_zones(samples: Sequence[float | None], zones: Sequence[Zone]) -> tuple[int, ...]:
    """Seconds spent in each zone by a 1 Hz series; ``None`` seconds are not counted."""
    uppers = [z.high for z in zones if z.high is not None]
    seconds = [0] * len(zones)
    last = len(zones) - 1
    for value in samples:
        if value is not None:
            seconds[min(bisect.bisect_left(uppers, value), last)] += 1
    return tuple(seconds)
