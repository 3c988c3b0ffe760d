"""The window recomputation gives the rows the whole-ride resampling gives."""

from __future__ import annotations

import math
import random

from domain.metrics.power import normalized_power
from domain.metrics.resample import DEFAULT_GAP_POLICY, resample_to_1hz
from projections.samples.readings import Bin
from projections.samples.window import dirty_window, rolling_power, rows_for_window

W = DEFAULT_GAP_POLICY.max_fill_s


def _ride(seed: int) -> list[tuple[float, dict[str, float]]]:
    """Irregular readings with short holes (filled) and long ones (pauses)."""
    rng = random.Random(seed)
    points: list[tuple[float, dict[str, float]]] = []
    t = 0.0
    while t < 900:
        t += rng.choice([0.25, 0.5, 1.0, 1.0, 3.0, 7.0]) if rng.random() > 0.01 else 40.0
        values = {"power_w": float(rng.randint(0, 400))}
        if rng.random() < 0.5:
            values["heart_rate_bpm"] = float(rng.randint(100, 170))
        points.append((t, values))
    return points


def _bins(points: list[tuple[float, dict[str, float]]]) -> dict[int, Bin]:
    bins: dict[int, Bin] = {}
    for t, values in points:
        bins.setdefault(math.floor(t), Bin()).add_reading(t, values)
    return bins


def test_window_rows_equal_whole_ride_resampling_for_any_touched_range() -> None:
    for seed in range(5):
        points = _ride(seed)
        whole = resample_to_1hz(points, 0.0)
        bins = _bins(points)
        rng = random.Random(seed)
        for _ in range(20):
            lo = rng.randint(0, whole.length)
            window = dirty_window(lo, lo + rng.randint(0, 60), W)
            context_lo, context_hi = window.context
            context = {s: b for s, b in bins.items() if context_lo <= s <= context_hi}
            rows = rows_for_window(context, window, has_power=True, policy=DEFAULT_GAP_POLICY)
            for second in range(max(0, window.lo), min(window.hi, whole.length - 1) + 1):
                assert (second in rows) == whole.recorded[second]
                if second in rows:
                    for name in ("power_w", "heart_rate_bpm"):
                        expected = whole.channel(name)[second]
                        got = rows[second][name]
                        assert (got is None) == (expected is None)
                        if expected is not None:
                            assert got is not None and math.isclose(got, expected)


def test_rows_count_silent_power_as_zero_only_once_the_ride_has_power() -> None:
    bins = _bins([(0.0, {"heart_rate_bpm": 120.0}), (1.0, {"heart_rate_bpm": 121.0})])
    window = dirty_window(0, 1, W)
    without = rows_for_window(bins, window, has_power=False, policy=DEFAULT_GAP_POLICY)
    with_power = rows_for_window(bins, window, has_power=True, policy=DEFAULT_GAP_POLICY)
    assert [row["power_w"] for row in without.values()] == [None, None]
    assert [row["power_w"] for row in with_power.values()] == [0.0, 0.0]


def test_rolling_power_split_anywhere_continues_as_one_pass() -> None:
    rng = random.Random(1)
    powers: list[float | None] = [
        None if rng.random() < 0.1 else float(rng.randint(0, 500)) for _ in range(400)
    ]
    whole = rolling_power([], powers)
    for cut in (1, 17, 29, 30, 31, 250):
        valued_before = [p for p in powers[:cut] if p is not None]
        tail = rolling_power(valued_before[-29:], powers[cut:])
        assert all(
            (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b))
            for a, b in zip(whole[cut:], tail, strict=True)
        )


def test_rolling_power_fourth_power_mean_is_normalized_power() -> None:
    powers: list[float | None] = [float(100 + (k * 37) % 300) for k in range(1000)]
    rolling = [r for r in rolling_power([], powers) if r is not None]
    np_w = (sum(r**4 for r in rolling) / len(rolling)) ** 0.25
    assert math.isclose(np_w, normalized_power(powers) or 0.0)
