"""Aerobic decoupling (Pa:HR) and RMSSD with artefact filtering."""

from __future__ import annotations

import math

import pytest

from domain.metrics.decoupling import aerobic_decoupling, efficiency_factor
from domain.metrics.hrv import clean_rr_intervals, rmssd


def test_decoupling_is_the_relative_drop_of_power_per_beat_between_halves() -> None:
    power: list[float | None] = [200.0] * 1200
    heart_rate = [140.0] * 600 + [147.0] * 600
    expected = (200 / 140 - 200 / 147) / (200 / 140) * 100
    assert aerobic_decoupling(power, heart_rate) == pytest.approx(expected)
    assert expected == pytest.approx(4.76, abs=0.01)


def test_decoupling_ignores_seconds_without_heart_rate_or_power() -> None:
    power: list[float | None] = [200.0] * 600 + [None] * 300 + [200.0] * 600
    heart_rate = [150.0] * 600 + [150.0] * 300 + [0.0] * 100 + [150.0] * 500
    assert aerobic_decoupling(power, heart_rate) == pytest.approx(0.0)


def test_decoupling_has_no_minimum_length_as_in_goldencheetah() -> None:
    assert aerobic_decoupling([200.0, 200.0], [100.0, 125.0]) == pytest.approx(20.0)


def test_decoupling_splits_at_the_middle_second_with_power_not_with_heart_rate() -> None:
    # 4 seconds with power; HR only in the first and the last: halves are (200, 200) / (100, 100)
    # watts with HR 100 and 100 -> 50 % drop, whatever the missing heart rates.
    power: list[float | None] = [200.0, 200.0, 100.0, 100.0]
    heart_rate: list[float | None] = [100.0, None, 0.0, 100.0]
    assert aerobic_decoupling(power, heart_rate) == pytest.approx(50.0)


def test_decoupling_is_undefined_when_a_half_has_no_heart_rate() -> None:
    assert aerobic_decoupling([200.0] * 10, [150.0] * 5 + [None] * 5) is None
    assert aerobic_decoupling([], []) is None


def test_efficiency_factor_is_np_over_average_heart_rate() -> None:
    assert efficiency_factor(300.0, 150.0) == pytest.approx(2.0)
    assert efficiency_factor(300.0, None) is None
    assert efficiency_factor(None, 150.0) is None


def test_rmssd_of_clean_intervals_is_the_rms_of_successive_differences() -> None:
    assert rmssd([800.0, 810.0, 790.0, 800.0]) == pytest.approx(math.sqrt(600 / 3))


def test_rmssd_drops_intervals_outside_300_to_2000_ms() -> None:
    assert clean_rr_intervals([800.0, 810.0, 2500.0, 820.0, 830.0, 250.0]) == (
        800.0,
        810.0,
        None,
        820.0,
        830.0,
        None,
    )
    assert rmssd([800.0, 810.0, 2500.0, 820.0, 830.0]) == pytest.approx(10.0)


def test_rmssd_drops_a_missed_beat_and_never_differences_across_it() -> None:
    cleaned = clean_rr_intervals([800.0, 805.0, 1600.0, 800.0, 810.0])
    assert cleaned == (800.0, 805.0, None, None, 810.0)
    assert rmssd([800.0, 805.0, 1600.0, 800.0, 810.0]) == pytest.approx(5.0)


def test_rmssd_recovers_after_a_bad_first_beat() -> None:
    assert rmssd([1600.0, 800.0, 810.0, 790.0, 800.0]) == pytest.approx(math.sqrt(500 / 2))


def test_rmssd_is_undefined_without_two_adjacent_clean_beats() -> None:
    assert rmssd([]) is None
    assert rmssd([800.0]) is None
    assert rmssd([800.0, 100.0, 800.0]) is None
