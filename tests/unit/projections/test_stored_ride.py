"""Stored 1 Hz rows back to a series: gaps between rows are unrecorded seconds."""

from __future__ import annotations

from adapters.progress import render
from domain.metrics.curve_grid import CURVE_GRID_S, STANDARD_DURATIONS_S
from projections.summaries.ride import ride_from_rows


def test_rows_with_a_gap_become_a_series_with_unrecorded_seconds() -> None:
    rows = [
        (100, 200.0, 140.0, 90.0, None, None, [800.0]),
        (101, 210.0, 141.0, 91.0, None, None, None),
        (104, 0.0, 139.0, 0.0, None, None, [810.0, 790.0]),
    ]
    ride = ride_from_rows(rows)
    assert ride.series.recorded == (True, True, False, False, True)
    assert ride.series.channel("power_w") == (200.0, 210.0, None, None, 0.0)
    assert ride.rr_ms == (800.0, 810.0, 790.0)
    assert ride.first_second == 100


def test_curve_grid_is_increasing_and_holds_the_standard_durations() -> None:
    assert list(CURVE_GRID_S) == sorted(set(CURVE_GRID_S))
    assert set(STANDARD_DURATIONS_S) <= set(CURVE_GRID_S)
    assert CURVE_GRID_S[:60] == tuple(range(1, 61))


def test_progress_line_shows_fraction_and_counts() -> None:
    line = render("rebuild samples", 250, 1000, 2.0)
    assert "25.0%" in line and "250/1000" in line and "(125/s)" in line
