"""Mean-max power curve: exactness against brute force, bounds beyond the exact range.
Its speed is measured by `ops/bench/curve.py`."""

from __future__ import annotations

import itertools
import random

import pytest

from domain.metrics.curve import best_efforts, mean_max_power


def _brute_force(power: list[float | None]) -> list[float]:
    watts = [max(0.0, w) if w is not None else 0.0 for w in power]
    prefix = [0.0, *itertools.accumulate(watts)]
    n = len(watts)
    return [max(prefix[i + d] - prefix[i] for i in range(n - d + 1)) / d for d in range(1, n + 1)]


def _ride(seed: int, seconds: int) -> list[float | None]:
    """Intervals, coasting zeros, dropouts and a pause: what real power files look like."""
    rng = random.Random(seed)
    power: list[float | None] = []
    while len(power) < seconds:
        level = rng.choice([0.0, 120.0, 200.0, 280.0, 450.0])
        for _ in range(rng.randint(5, 400)):
            power.append(max(0.0, rng.gauss(level, 25.0)) if level else 0.0)
        if rng.random() < 0.05:
            power.extend([None] * rng.randint(30, 300))
    return power[:seconds]


def test_curve_of_a_short_series_matches_a_hand_computation() -> None:
    curve = mean_max_power([100.0, 300.0, 200.0, 0.0, 500.0])
    assert curve.watts == pytest.approx((500.0, 250.0, 700.0 / 3, 250.0, 220.0))


def test_curve_counts_a_pause_and_negative_readings_as_zero() -> None:
    curve = mean_max_power([400.0, None, -50.0, 400.0])
    assert curve.watts == pytest.approx((400.0, 200.0, 400.0 / 3, 200.0))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_curve_is_exact_for_every_duration_when_asked_to_be(seed: int) -> None:
    power = _ride(seed, 1500)
    curve = mean_max_power(power, exact_up_to_s=len(power))
    assert curve.watts == pytest.approx(_brute_force(power), rel=1e-9)
    assert all(curve.is_exact(d) for d in range(1, len(power) + 1))


@pytest.mark.parametrize("seed", [4, 5])
def test_curve_beyond_the_exact_range_is_a_real_effort_under_a_proven_bound(seed: int) -> None:
    power = _ride(seed, 1500)
    exact = _brute_force(power)
    curve = mean_max_power(power, exact_up_to_s=200)
    for d in range(1, len(power) + 1):
        assert curve.watts[d - 1] <= exact[d - 1] * (1 + 1e-9) + 1e-9
        assert exact[d - 1] <= curve.upper_watts[d - 1] * (1 + 1e-9) + 1e-9
        assert curve.upper_watts[d - 1] <= curve.watts[d - 1] * 1.01
    assert curve.watts[:200] == pytest.approx(exact[:200], rel=1e-9)
    assert curve.watts[-1] == pytest.approx(exact[-1], rel=1e-9)


def test_curve_of_steady_power_with_noise_is_exact() -> None:
    rng = random.Random(9)
    power: list[float | None] = [rng.gauss(200.0, 5.0) for _ in range(1200)]
    assert mean_max_power(power).watts == pytest.approx(_brute_force(power), rel=1e-9)


def test_best_efforts_report_the_standard_durations_that_fit_in_the_ride() -> None:
    power: list[float | None] = [300.0] * 400
    efforts = best_efforts(mean_max_power(power))
    assert efforts == {5: 300.0, 60: 300.0, 300: 300.0}


def test_empty_series_has_an_empty_curve() -> None:
    curve = mean_max_power([])
    assert curve.max_duration_s == 0
    assert curve.best(1) is None


def test_curve_of_a_four_hour_ride_spans_the_ride_and_ends_at_its_average() -> None:
    power = _ride(11, 4 * 3600)
    curve = mean_max_power(power)
    assert curve.max_duration_s == 4 * 3600
    assert curve.best(4 * 3600) == pytest.approx(sum(w or 0.0 for w in power) / (4 * 3600))
