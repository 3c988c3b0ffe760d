"""The Athlete's time zone: the days, weeks and months a rider's training is counted in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest

from domain.athletes import Athlete
from domain.errors import InvalidProfile


def events(athlete: Athlete) -> list[tuple[str, dict[str, Any]]]:
    return [(type(e).__name__, vars(e)) for e in athlete.collect_events()]


def test_an_athlete_created_without_a_zone_counts_in_utc(owner_id: UUID) -> None:
    athlete = Athlete.create(owner_id, "Anna", ftp_w=280, weight_kg=57.5)

    assert [name for name, _ in events(athlete)] == ["Created"]
    assert athlete.time_zone == "UTC"


def test_a_zone_given_at_registration_is_recorded_after_created(owner_id: UUID) -> None:
    athlete = Athlete.create(owner_id, "Anna", 280, 57.5, time_zone="America/Los_Angeles")

    recorded = events(athlete)

    assert [name for name, _ in recorded] == ["Created", "TimeZoneChanged"]
    assert recorded[1][1]["time_zone"] == "America/Los_Angeles"
    assert athlete.time_zone == "America/Los_Angeles"


def test_changing_the_zone_records_it_once(owner_id: UUID) -> None:
    athlete = Athlete.create(owner_id, "Anna", 280, 57.5)
    athlete.collect_events()

    athlete.change_time_zone("Australia/Sydney")
    athlete.change_time_zone("Australia/Sydney")

    assert [(n, f["time_zone"]) for n, f in events(athlete)] == [
        ("TimeZoneChanged", "Australia/Sydney")
    ]


@pytest.mark.parametrize(
    "zone", ["", "Mars/Olympus_Mons", "../../etc/passwd", "PST8PDT ", 8, None, "x" * 65]
)
def test_a_zone_that_is_not_an_iana_name_is_refused(owner_id: UUID, zone: object) -> None:
    athlete = Athlete.create(owner_id, "Anna", 280, 57.5)
    athlete.collect_events()

    with pytest.raises(InvalidProfile, match="time_zone"):
        athlete.change_time_zone(zone)  # type: ignore[arg-type]
    with pytest.raises(InvalidProfile, match="time_zone"):
        Athlete.create(owner_id, "Anna", 280, 57.5, time_zone=zone)  # type: ignore[arg-type]
    assert events(athlete) == []
    assert athlete.time_zone == "UTC"


@pytest.mark.parametrize(
    ("zone", "moment", "day"),
    [
        # 19:00 in California is 03:00 UTC the next day.
        ("America/Los_Angeles", datetime(2026, 6, 2, 2, 0, tzinfo=UTC), date(2026, 6, 1)),
        # 07:00 in Sydney is 21:00 UTC the day before.
        ("Australia/Brisbane", datetime(2026, 6, 1, 21, 0, tzinfo=UTC), date(2026, 6, 2)),
        # The night clocks go back in California (1 Nov 2026, 02:00 PDT -> 01:00 PST).
        ("America/Los_Angeles", datetime(2026, 11, 2, 7, 59, tzinfo=UTC), date(2026, 11, 1)),
        ("America/Los_Angeles", datetime(2026, 11, 2, 8, 0, tzinfo=UTC), date(2026, 11, 2)),
        ("UTC", datetime(2026, 6, 1, 23, 59, tzinfo=UTC), date(2026, 6, 1)),
    ],
)
def test_local_day_is_the_riders_calendar_day(
    owner_id: UUID, zone: str, moment: datetime, day: date
) -> None:
    athlete = Athlete.create(owner_id, "Anna", 280, 57.5, time_zone=zone)

    assert athlete.local_day(moment) == day


def test_a_replayed_athlete_keeps_its_zone(owner_id: UUID) -> None:
    athlete = Athlete.create(owner_id, "Anna", 280, 57.5, time_zone="Asia/Kolkata")
    recorded = athlete.collect_events()

    replayed: Any = None
    for event in recorded:
        replayed = event.mutate(replayed)

    assert replayed.time_zone == "Asia/Kolkata"
