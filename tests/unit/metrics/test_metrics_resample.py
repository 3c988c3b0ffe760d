"""The 1 Hz resampler and its gap policy."""

from __future__ import annotations

import math

import pytest

from domain.metrics.errors import ResampleError
from domain.metrics.resample import GapPolicy, resample_to_1hz


def test_resample_averages_readings_when_several_fall_in_one_second() -> None:
    series = resample_to_1hz(
        [(0.2, {"power_w": 100.0}), (0.7, {"power_w": 200.0}), (1.0, {"power_w": 50.0})], 0.0
    )
    assert series.channel("power_w") == (150.0, 50.0)


def test_resample_keeps_the_last_distance_when_several_fall_in_one_second() -> None:
    series = resample_to_1hz([(0.1, {"distance_m": 10.0}), (0.9, {"distance_m": 14.0})], 0.0)
    assert series.channel("distance_m") == (14.0,)


def test_resample_places_points_relative_to_start() -> None:
    series = resample_to_1hz([(100.5, {"heart_rate_bpm": 120.0})], 100.0)
    assert series.length == 1
    assert series.channel("heart_rate_bpm") == (120.0,)


def test_resample_interpolates_every_channel_when_the_hole_is_short() -> None:
    series = resample_to_1hz(
        [(0.0, {"power_w": 100.0, "heart_rate_bpm": 120.0}), (4.0, {"power_w": 200.0})], 0.0
    )
    assert series.channel("power_w") == (100.0, 125.0, 150.0, 175.0, 200.0)
    assert all(series.recorded)


def test_resample_fills_a_hole_up_to_24_seconds_but_pauses_at_25() -> None:
    filled = resample_to_1hz([(0.0, {"cadence_rpm": 90.0}), (24.0, {"cadence_rpm": 90.0})], 0.0)
    paused = resample_to_1hz([(0.0, {"cadence_rpm": 90.0}), (25.0, {"cadence_rpm": 90.0})], 0.0)
    assert filled.channel("cadence_rpm") == (90.0,) * 25
    assert paused.channel("cadence_rpm") == (90.0, *([None] * 24), 90.0)
    assert paused.recorded == (True, *([False] * 24), True)


def test_resample_counts_silent_power_as_zero_when_the_head_unit_kept_recording() -> None:
    points = [(float(t), {"heart_rate_bpm": 130.0}) for t in range(40)]
    points += [(0.0, {"power_w": 250.0}), (39.0, {"power_w": 250.0})]
    series = resample_to_1hz(points, 0.0)
    assert series.channel("power_w") == (250.0, *([0.0] * 38), 250.0)


def test_resample_leaves_silent_power_empty_when_the_policy_says_so() -> None:
    points = [(float(t), {"heart_rate_bpm": 130.0}) for t in range(40)]
    points += [(0.0, {"power_w": 250.0}), (39.0, {"power_w": 250.0})]
    series = resample_to_1hz(points, 0.0, GapPolicy(silent_power_is_zero=False))
    assert series.channel("power_w") == (250.0, *([None] * 38), 250.0)


def test_resample_keeps_power_empty_during_a_pause() -> None:
    series = resample_to_1hz([(0.0, {"power_w": 200.0}), (60.0, {"power_w": 200.0})], 0.0)
    assert series.channel("power_w")[1:60] == (None,) * 59


def test_resample_has_no_power_channel_when_no_power_was_recorded() -> None:
    series = resample_to_1hz([(float(t), {"heart_rate_bpm": 100.0}) for t in range(5)], 0.0)
    assert not series.has("power_w")
    assert series.channel("power_w") == (None,) * 5


def test_resample_ignores_values_that_are_not_finite() -> None:
    series = resample_to_1hz([(0.0, {"power_w": math.nan, "heart_rate_bpm": 90.0})], 0.0)
    assert series.channel("heart_rate_bpm") == (90.0,)
    assert not series.has("power_w")


def test_resample_returns_an_empty_series_when_there_are_no_points() -> None:
    series = resample_to_1hz([], 0.0)
    assert series.length == 0


def test_resample_refuses_a_point_before_the_start() -> None:
    with pytest.raises(ResampleError, match="before the series start"):
        resample_to_1hz([(9.0, {"power_w": 1.0})], 10.0)


def test_resample_refuses_a_point_without_a_finite_time() -> None:
    with pytest.raises(ResampleError, match="not a finite"):
        resample_to_1hz([(math.inf, {"power_w": 1.0})], 0.0)


def test_gap_policy_refuses_a_fill_threshold_below_one_second() -> None:
    with pytest.raises(ResampleError):
        GapPolicy(max_fill_s=0)
