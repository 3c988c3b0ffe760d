"""Retention stays clear of the rollups' refresh window (TimescaleDB would erase them)."""

from datetime import UTC, datetime, timedelta

import pytest

from projections.retention import check_days
from projections.samples.refresh import bucket_window


@pytest.mark.parametrize("days", [0, 14, 730])
def test_retention_of_zero_or_at_least_fourteen_days_is_accepted(days: int) -> None:
    check_days(days)


@pytest.mark.parametrize("days", [-1, 1, 7, 13])
def test_retention_shorter_than_fourteen_days_is_refused_with_the_reason(days: int) -> None:
    with pytest.raises(ValueError, match="at least 14 days"):
        check_days(days)


def test_an_explicit_refresh_covers_whole_buckets_around_the_changed_range() -> None:
    lo = datetime(2026, 3, 4, 10, 15, 30, tzinfo=UTC)
    hi = datetime(2026, 3, 4, 10, 25, 1, tzinfo=UTC)
    assert bucket_window(lo, hi, timedelta(minutes=1)) == (
        datetime(2026, 3, 4, 10, 15, tzinfo=UTC),
        datetime(2026, 3, 4, 10, 26, tzinfo=UTC),
    )
    assert bucket_window(lo, hi, timedelta(days=1)) == (
        datetime(2026, 3, 4, tzinfo=UTC),
        datetime(2026, 3, 5, tzinfo=UTC),
    )


def test_a_window_clipped_at_the_retention_horizon_never_reaches_a_dropped_chunk() -> None:
    # Chunks are 7 days aligned to the epoch; a dropped chunk ends at a UTC midnight at or
    # before the horizon, and the day bucket the horizon falls in starts at or after it.
    horizon = datetime(2026, 1, 8, 13, 0, tzinfo=UTC)
    chunk = timedelta(days=7)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    last_dropped_end = epoch + ((horizon - epoch) // chunk) * chunk
    start, _ = bucket_window(horizon, horizon + timedelta(hours=1), timedelta(days=1))
    assert start >= last_dropped_end
    assert start <= horizon
