"""Irregular timestamped sensor readings to a 1 Hz series, with an explicit gap policy.

The policy (see docs/metrics.md, "Gap policy"):

1. A reading at ``t`` seconds belongs to second ``floor(t - start)``. Several readings of one
   channel in the same second are averaged; cumulative channels (distance) keep the last one.
2. Between two readings of a channel less than ``max_fill_s`` seconds apart, the missing seconds
   are filled by linear interpolation (GoldenCheetah's "Garmin smart recording" fill, whose
   default threshold is 25 s). Wider holes stay ``None``.
3. A second is *recorded* when some channel has a reading in it or it lies inside a filled hole
   between two records; a run of seconds without any record spanning ``max_fill_s`` or more is a
   pause: every channel is ``None`` there.
4. Power: inside recorded time a power meter that has stopped transmitting means the cranks
   stopped (ANT+/BLE meters go silent when not pedalled), so a recorded second with no power
   reading counts as 0 W, as GoldenCheetah does. This applies only when the ride has power data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from domain.metrics.errors import ResampleError

POWER = "power_w"
HEART_RATE = "heart_rate_bpm"
CADENCE = "cadence_rpm"
SPEED = "speed_kmh"
DISTANCE = "distance_m"

Samples = tuple[float | None, ...]


@dataclass(frozen=True)
class GapPolicy:
    """How holes in the recording are treated. Defaults reproduce GoldenCheetah's FIT import."""

    max_fill_s: int = 25
    silent_power_is_zero: bool = True
    cumulative_channels: frozenset[str] = frozenset({DISTANCE})

    def __post_init__(self) -> None:
        if self.max_fill_s < 1:
            raise ResampleError(f"max_fill_s must be at least 1 s, got {self.max_fill_s}")


DEFAULT_GAP_POLICY = GapPolicy()


@dataclass(frozen=True)
class Series:
    """A ride on a 1 Hz grid: ``channels[name][k]`` is the value for second ``k`` after start."""

    start: float
    recorded: tuple[bool, ...]
    channels: Mapping[str, Samples] = field(default_factory=dict)

    @property
    def length(self) -> int:
        return len(self.recorded)

    def channel(self, name: str) -> Samples:
        """The samples of ``name``, all ``None`` when the ride has no such channel."""
        found = self.channels.get(name)
        return found if found is not None else (None,) * self.length

    def has(self, name: str) -> bool:
        return any(value is not None for value in self.channels.get(name, ()))


def resample_to_1hz(
    points: Sequence[tuple[float, Mapping[str, float]]],
    start: float,
    gap_policy: GapPolicy = DEFAULT_GAP_POLICY,
) -> Series:
    """Bin ``(seconds, {channel: value})`` points onto a 1 Hz grid starting at ``start``.

    Non-finite values are ignored. A point before ``start`` raises ``ResampleError``.
    """
    sums: dict[str, dict[int, float]] = {}
    counts: dict[str, dict[int, int]] = {}
    record_seconds: set[int] = set()
    for t, values in points:
        if not math.isfinite(t):
            raise ResampleError(f"point time {t!r} is not a finite number of seconds")
        if t < start:
            raise ResampleError(f"point at {t} s is before the series start {start} s")
        second = math.floor(t - start)
        for name, value in values.items():
            if not math.isfinite(value):
                continue
            record_seconds.add(second)
            channel_sums = sums.setdefault(name, {})
            if name in gap_policy.cumulative_channels:
                channel_sums[second] = value  # the latest reading of a running total wins
                counts.setdefault(name, {})[second] = 1
            else:
                channel_sums[second] = channel_sums.get(second, 0.0) + value
                channel_counts = counts.setdefault(name, {})
                channel_counts[second] = channel_counts.get(second, 0) + 1
    if not record_seconds:
        return Series(start=start, recorded=())

    length = max(record_seconds) + 1
    recorded = _recorded_mask(sorted(record_seconds), length, gap_policy.max_fill_s)
    channels: dict[str, Samples] = {}
    for name, channel_sums in sums.items():
        channel_counts = counts[name]
        readings = {k: channel_sums[k] / channel_counts[k] for k in channel_sums}
        samples = _fill_short_holes(readings, length, gap_policy.max_fill_s)
        if name == POWER and gap_policy.silent_power_is_zero:
            samples = [
                0.0 if v is None and rec else v for v, rec in zip(samples, recorded, strict=True)
            ]
        channels[name] = tuple(samples)
    return Series(start=start, recorded=tuple(recorded), channels=channels)


def _recorded_mask(record_seconds: list[int], length: int, max_fill_s: int) -> list[bool]:
    recorded = [False] * length
    previous: int | None = None
    for second in record_seconds:
        recorded[second] = True
        if previous is not None and second - previous < max_fill_s:
            for k in range(previous + 1, second):
                recorded[k] = True
        previous = second
    return recorded


def _fill_short_holes(
    readings: dict[int, float], length: int, max_fill_s: int
) -> list[float | None]:
    samples: list[float | None] = [None] * length
    previous: int | None = None
    for second in sorted(readings):
        value = readings[second]
        samples[second] = value
        if previous is not None and 1 < second - previous < max_fill_s:
            before = readings[previous]
            span = second - previous
            for k in range(previous + 1, second):
                samples[k] = before + (value - before) * (k - previous) / span
        previous = second
    return samples
