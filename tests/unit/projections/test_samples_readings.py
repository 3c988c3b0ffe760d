"""A second's readings merge the same in any order, and survive their JSON form."""

from __future__ import annotations

import itertools

from projections.samples.readings import Bin


def _readings() -> list[tuple[float, dict[str, object]]]:
    return [
        (10.1, {"power_w": 200, "cadence_rpm": 90.0, "total_distance_m": 1000}),
        (10.4, {"power_w": 220, "heart_rate_bpm": 140, "rr_1024": [1024, 1000]}),
        (10.7, {"power_w": 240, "distance_m": 1004.0, "sensor_contact": True}),
        (10.2, {"speed_kmh": 31.0, "pedal_power_balance_pct": 51.5, "elapsed_s": 300}),
    ]


def test_bin_values_are_the_same_whatever_the_arrival_order() -> None:
    results = []
    for order in itertools.permutations(_readings()):
        halves = Bin(), Bin()
        for index, (t, values) in enumerate(order):
            halves[index % 2].add_reading(t, values)
        halves[0].merge(halves[1])
        results.append(halves[0].values())
    assert all(result == results[0] for result in results)
    assert results[0]["power_w"] == 220.0
    assert results[0]["distance_m"] == 1004.0  # the latest running total wins
    assert results[0]["power_balance_pct"] == 51.5
    assert "elapsed_s" not in results[0]


def test_bin_keeps_rr_intervals_in_milliseconds_through_json() -> None:
    bin_ = Bin()
    for t, values in _readings():
        bin_.add_reading(t, values)
    again = Bin.from_json(bin_.to_json())
    assert again.values() == bin_.values()
    assert again.rr_ms == [1000.0, 1000.0 * 1000 / 1024]


def test_bin_without_known_values_is_not_a_reading() -> None:
    bin_ = Bin()
    assert not bin_.add_reading(1.0, {"elapsed_s": 3, "sensor_contact": True})
    assert not bin_.has_values
