"""Training zones from a threshold, and time spent in each zone, as GoldenCheetah counts them.

Power: Coggan's 7 levels, heart rate: Coggan's 5 levels (GoldenCheetah's Zones.cpp and
HrZones.cpp). Each zone is given by its lower bound, ``int(threshold x percent / 100)``
(GoldenCheetah truncates to whole watts or beats); a value is in a zone when
``low <= v < next low``, so a bound belongs to the zone it opens. The first zone starts at 0 and
also takes anything below 0; the last is open-ended.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from domain.metrics.errors import InvalidThresholdError

# (name, lower bound in % of threshold). Whole percents so that int() of the product is exact.
COGGAN_POWER_LEVELS: tuple[tuple[str, int], ...] = (
    ("Z1 Active recovery", 0),
    ("Z2 Endurance", 55),
    ("Z3 Tempo", 75),
    ("Z4 Lactate threshold", 90),
    ("Z5 VO2max", 105),
    ("Z6 Anaerobic capacity", 120),
    ("Z7 Neuromuscular power", 150),
)

COGGAN_HR_LEVELS: tuple[tuple[str, int], ...] = (
    ("Z1 Active recovery", 0),
    ("Z2 Endurance", 68),
    ("Z3 Tempo", 83),
    ("Z4 Lactate threshold", 94),
    ("Z5 VO2max", 105),
)

# Without a threshold heart rate, zones from the maximum: the 5 zones of 50-60-70-80-90 %
# of max HR that Garmin, Polar and Zwift use (below 60 % counts in zone 1, as GC counts
# everything below zone 2). wattlog's own choice: GC's HR zones need an LTHR.
MAX_HR_LEVELS: tuple[tuple[str, int], ...] = (
    ("Z1 Very light", 0),
    ("Z2 Light", 60),
    ("Z3 Moderate", 70),
    ("Z4 Hard", 80),
    ("Z5 Maximum", 90),
)


@dataclass(frozen=True)
class Zone:
    """Values ``low <= v < high`` (``high`` None = open-ended)."""

    name: str
    low: int
    high: int | None


def zones_from_threshold(threshold: float, levels: Sequence[tuple[str, int]]) -> tuple[Zone, ...]:
    if not threshold > 0:
        raise InvalidThresholdError(f"zone threshold must be positive, got {threshold}")
    lows = [int(threshold * percent / 100) for _, percent in levels]
    highs: list[int | None] = [*lows[1:], None]
    return tuple(
        Zone(name=name, low=low, high=high)
        for (name, _), low, high in zip(levels, lows, highs, strict=True)
    )


def power_zones(cp_w: float) -> tuple[Zone, ...]:
    return zones_from_threshold(cp_w, COGGAN_POWER_LEVELS)


def heart_rate_zones(threshold_hr_bpm: float) -> tuple[Zone, ...]:
    return zones_from_threshold(threshold_hr_bpm, COGGAN_HR_LEVELS)


def heart_rate_zones_from_max(max_hr_bpm: float) -> tuple[Zone, ...]:
    return zones_from_threshold(max_hr_bpm, MAX_HR_LEVELS)


def custom_power_zones(ftp_w: float, upper_bounds_pct: Sequence[float]) -> tuple[Zone, ...]:
    """A rider's own power zones: upper bounds in % FTP (increasing), the last zone open-ended;
    named Z1, Z2, ... and bounded like the defaults (truncated to whole watts)."""
    if not ftp_w > 0:
        raise InvalidThresholdError(f"zone threshold must be positive, got {ftp_w}")
    lows = [0, *(int(ftp_w * bound / 100) for bound in upper_bounds_pct)]
    highs: list[int | None] = [*lows[1:], None]
    return tuple(
        Zone(name=f"Z{number}", low=low, high=high)
        for number, (low, high) in enumerate(zip(lows, highs, strict=True), start=1)
    )


def zone_index(value: float, zones: Sequence[Zone]) -> int:
    """0-based index of the zone holding ``value``."""
    return max(bisect.bisect_right([z.low for z in zones], value) - 1, 0)


def time_in_zones(
    samples: Sequence[float | None],
    zones: Sequence[Zone],
    recorded: Sequence[bool] | None = None,
) -> tuple[int, ...]:
    """Seconds spent in each zone by a 1 Hz series.

    Without ``recorded``, ``None`` seconds are not counted. With it (GoldenCheetah's rule: every
    recorded second counts), a recorded second without a value counts as 0, i.e. in zone 1, and
    only seconds outside the recording (pauses) are left out.
    """
    lows = [z.low for z in zones]
    seconds = [0] * len(zones)
    for k, value in enumerate(samples):
        if value is None:
            if recorded is None or not recorded[k]:
                continue
            value = 0.0
        seconds[max(bisect.bisect_right(lows, value) - 1, 0)] += 1
    return tuple(seconds)
