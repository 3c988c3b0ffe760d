"""Threshold and maximum heart rate with history, like the FTP: a ride uses the values in
force on its day."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from domain.athletes import FROM_THE_START, Athlete
from domain.errors import InvalidProfile


def test_heart_rate_thresholds_count_from_the_day_they_are_set(owner_id: UUID) -> None:
    athlete = Athlete.create(owner_id, "Rider", 250, 70.0, max_hr=190, threshold_hr=168)
    created = athlete.created_on.date()
    later = created + timedelta(days=30)
    athlete.change_thresholds(188, 172, effective_from=later)
    assert athlete.hr_thresholds_on(created - timedelta(days=400)) == (190, 168)
    assert athlete.hr_thresholds_on(later - timedelta(days=1)) == (190, 168)
    assert athlete.hr_thresholds_on(later) == (188, 172)
    assert (athlete.max_hr, athlete.threshold_hr) == (188, 172)
    assert athlete.hr_threshold_history == [(FROM_THE_START, 190, 168), (later, 188, 172)]


def test_a_change_dated_before_the_profile_existed_is_the_current_value(
    owner_id: UUID,
) -> None:
    athlete = Athlete.create(owner_id, "Rider", 250, 70.0)
    athlete.change_thresholds(190, 170, effective_from=date(2013, 8, 16))
    assert (athlete.max_hr, athlete.threshold_hr) == (190, 170)
    assert athlete.hr_thresholds_on(date(2013, 8, 15)) == (None, None)


def test_a_change_without_a_day_counts_from_the_day_it_was_made(owner_id: UUID) -> None:
    athlete = Athlete.create(owner_id, "Rider", 250, 70.0)
    athlete.change_thresholds(None, 165)
    [change] = [e for e in athlete.collect_events() if type(e).__name__ == "ThresholdsChanged"]
    assert athlete.hr_thresholds_on(change.timestamp.date()) == (None, 165)
    assert athlete.hr_threshold_history[-1] == (change.timestamp.date(), None, 165)


def test_the_same_values_on_the_same_day_record_nothing(owner_id: UUID) -> None:
    athlete = Athlete.create(owner_id, "Rider", 250, 70.0)
    day = date(2026, 11, 2)
    athlete.change_thresholds(190, 170, effective_from=day)
    athlete.collect_events()
    athlete.change_thresholds(190, 170, effective_from=day)
    assert athlete.collect_events() == []


def test_a_rebuilt_athlete_keeps_the_heart_rate_history(owner_id: UUID) -> None:
    original = Athlete.create(owner_id, "Rider", 250, 70.0, max_hr=190)
    original.change_thresholds(190, 170, effective_from=date(2026, 1, 5))
    original.change_thresholds(186, 171)
    rebuilt: Athlete | None = None
    for domain_event in original.collect_events():
        rebuilt = domain_event.mutate(rebuilt)
    assert isinstance(rebuilt, Athlete)
    assert rebuilt.hr_threshold_history == original.hr_threshold_history
    assert rebuilt.hr_thresholds_on(date(2026, 1, 5)) == (190, 170)


@pytest.mark.parametrize("day", ["2026-01-05", 20260105])
def test_the_day_must_be_a_date(owner_id: UUID, day: object) -> None:
    athlete = Athlete.create(owner_id, "Rider", 250, 70.0)
    with pytest.raises(InvalidProfile, match="effective_from must be a date"):
        athlete.change_thresholds(190, 170, effective_from=day)  # type: ignore[arg-type]
