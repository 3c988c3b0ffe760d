"""xPower: 25 s exponentially weighted average, fourth-power mean (GoldenCheetah's BikeScore)."""

from __future__ import annotations

import pytest

from domain.metrics.xpower import xpower


def test_xpower_of_a_steady_ride_approaches_its_power_from_below() -> None:
    # The average starts at 0 W, so the first minute drags xPower a little under 200 W.
    steady = xpower([200.0] * 3600)
    assert steady is not None
    assert 195.0 < steady < 200.0


def test_xpower_weights_each_second_by_one_26th() -> None:
    first = 260.0 / 26
    second = first * 25 / 26
    assert xpower([260.0, 0.0]) == pytest.approx(((first**4 + second**4) / 2) ** 0.25)


def test_xpower_keeps_decaying_across_a_gap_until_negligible() -> None:
    with_gap = xpower([300.0] * 600 + [None] * 3600 + [300.0] * 600)
    without_gap = xpower([300.0] * 1200)
    assert with_gap is not None and without_gap is not None
    # The decayed seconds of the gap count (lower xPower), but not the whole hour (which at
    # 0 W would pull it far lower).
    assert with_gap < without_gap
    zeros = xpower([300.0] * 600 + [0.0] * 3600 + [300.0] * 600)
    assert zeros is not None and with_gap > zeros


def test_xpower_of_a_ride_without_power_is_undefined() -> None:
    assert xpower([None, None]) is None
    assert xpower([]) is None
