"""Coggan power and heart-rate zones, and time spent in them."""

from __future__ import annotations

import pytest

from domain.metrics.errors import InvalidThresholdError
from domain.metrics.zones import heart_rate_zones, power_zones, time_in_zones, zone_index


def test_power_zones_follow_coggans_percentages_of_ftp() -> None:
    zones = power_zones(200.0)
    assert len(zones) == 7
    assert [z.high for z in zones] == pytest.approx([110, 150, 180, 210, 240, 300, None])
    assert zones[0].low == 0.0
    assert [z.low for z in zones[1:]] == pytest.approx([110, 150, 180, 210, 240, 300])


def test_heart_rate_zones_follow_coggans_percentages_of_threshold() -> None:
    zones = heart_rate_zones(170.0)
    assert len(zones) == 5
    # GoldenCheetah truncates each bound to a whole beat: int(170 x 68 %) = 115, not 115.6.
    assert [z.low for z in zones] == [0, 115, 141, 159, 178]
    assert [z.high for z in zones] == [115, 141, 159, 178, None]


def test_power_zone_bounds_are_truncated_to_whole_watts() -> None:
    assert [z.low for z in power_zones(250.0)] == [0, 137, 187, 225, 262, 300, 375]


def test_a_zone_bound_belongs_to_the_zone_it_opens() -> None:
    zones = power_zones(200.0)
    assert zone_index(109.9, zones) == 0
    assert zone_index(110.0, zones) == 1
    assert zone_index(0.0, zones) == 0
    assert zone_index(-5.0, zones) == 0
    assert zone_index(2000.0, zones) == 6


def test_time_in_zones_counts_seconds_and_skips_missing_ones() -> None:
    zones = power_zones(200.0)
    samples = [0.0, 100.0, 120.0, None, 180.0, 209.0, 250.0, 300.0, None]
    assert time_in_zones(samples, zones) == (2, 1, 0, 2, 0, 1, 1)


def test_a_recorded_second_without_a_value_counts_in_zone_one_and_a_pause_in_none() -> None:
    zones = heart_rate_zones(170.0)
    samples = [None, 150.0, None, None]
    recorded = [True, True, False, True]
    assert time_in_zones(samples, zones, recorded) == (2, 0, 1, 0, 0)


@pytest.mark.parametrize("threshold", [0.0, -1.0])
def test_zones_need_a_positive_threshold(threshold: float) -> None:
    with pytest.raises(InvalidThresholdError):
        power_zones(threshold)
    with pytest.raises(InvalidThresholdError):
        heart_rate_zones(threshold)
