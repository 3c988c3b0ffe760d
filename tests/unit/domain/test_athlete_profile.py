"""The Athlete aggregate: profile values, FTP history and zones."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.athletes import COGGAN_POWER_ZONES, Athlete
from domain.errors import InvalidProfile


@pytest.fixture
def athlete(owner_id: UUID) -> Athlete:
    created = Athlete.create(owner_id, "Anna Kiesenhofer", ftp_w=280, weight_kg=57.5)
    created.collect_events()
    return created


def events(athlete: Athlete) -> list[tuple[str, dict[str, Any]]]:
    return [(type(e).__name__, vars(e)) for e in athlete.collect_events()]


def test_athlete_create_records_the_profile(owner_id: UUID) -> None:
    athlete_id = uuid4()

    athlete = Athlete.create(
        owner_id, "  Tom Pidcock ", 330, 58.0, max_hr=196, threshold_hr=176, athlete_id=athlete_id
    )

    [(name, fields)] = events(athlete)
    assert name == "Created"
    assert fields["name"] == "Tom Pidcock"
    assert (fields["ftp_w"], fields["weight_kg"]) == (330, 58.0)
    assert athlete.id == athlete_id
    assert athlete.owner_id == owner_id
    assert (athlete.max_hr, athlete.threshold_hr) == (196, 176)
    assert athlete.ftp_w == 330
    assert athlete.power_zones == COGGAN_POWER_ZONES
    assert not athlete.has_custom_zones


def test_athlete_first_ftp_counts_from_the_creation_day(athlete: Athlete) -> None:
    created_day = athlete.created_on.date()

    assert athlete.ftp_history == [(created_day, 280)]
    assert athlete.ftp_on(created_day) == 280
    assert athlete.ftp_on(created_day - timedelta(days=400)) == 280


@pytest.mark.parametrize(
    "overrides",
    [
        {"ftp_w": 0},
        {"ftp_w": 2001},
        {"ftp_w": 250.5},
        {"ftp_w": True},
        {"weight_kg": 19.9},
        {"weight_kg": 250.1},
        {"weight_kg": float("nan")},
        {"weight_kg": "70"},
        {"max_hr": 59},
        {"max_hr": 241},
        {"threshold_hr": 241},
        {"threshold_hr": 170.5},
        {"max_hr": 170, "threshold_hr": 180},
        {"name": "   "},
        {"name": "x" * 101},
        {"owner_id": "owner"},
        {"athlete_id": "athlete"},
    ],
)
def test_athlete_create_rejects_out_of_range_values(
    owner_id: UUID, overrides: dict[str, Any]
) -> None:
    arguments: dict[str, Any] = {
        "owner_id": owner_id,
        "name": "Rider",
        "ftp_w": 250,
        "weight_kg": 70.0,
    }
    arguments.update(overrides)

    with pytest.raises(InvalidProfile):
        Athlete.create(**arguments)


def test_athlete_create_accepts_range_limits(owner_id: UUID) -> None:
    low = Athlete.create(owner_id, "A", 1, 20, max_hr=60, threshold_hr=60)
    high = Athlete.create(owner_id, "B", 2000, 250, max_hr=240, threshold_hr=240)

    assert (low.ftp_w, low.weight_kg, high.ftp_w, high.weight_kg) == (1, 20.0, 2000, 250.0)


def test_athlete_change_ftp_records_the_effective_day_as_iso_text(athlete: Athlete) -> None:
    athlete.change_ftp(295, effective_from=date(2026, 3, 1))

    [(name, fields)] = events(athlete)
    assert name == "FtpChanged"
    assert (fields["ftp_w"], fields["effective_from"]) == (295, "2026-03-01")


def test_athlete_ftp_on_returns_the_ftp_in_force_on_each_day(owner_id: UUID) -> None:
    athlete = Athlete.create(owner_id, "Rider", 240, 70)
    day = athlete.created_on.date()
    athlete.change_ftp(260, day + timedelta(days=30))
    athlete.change_ftp(250, day + timedelta(days=60))

    in_force = [athlete.ftp_on(day + timedelta(days=n)) for n in (0, 29, 30, 59, 60, 365)]

    assert in_force == [240, 240, 260, 260, 250, 250]
    assert athlete.ftp_w == 250


def test_athlete_ftp_history_accepts_backfilled_changes(athlete: Athlete) -> None:
    day = athlete.created_on.date()
    athlete.change_ftp(255, day - timedelta(days=200))
    athlete.change_ftp(265, day - timedelta(days=100))

    assert [ftp for _, ftp in athlete.ftp_history] == [255, 265, 280]
    assert athlete.ftp_on(day - timedelta(days=150)) == 255
    assert athlete.ftp_on(day - timedelta(days=300)) == 255
    assert athlete.ftp_on(day - timedelta(days=1)) == 265
    assert athlete.ftp_w == 280


def test_athlete_change_ftp_replaces_a_change_on_the_same_day(athlete: Athlete) -> None:
    day = athlete.created_on.date() + timedelta(days=10)
    athlete.change_ftp(300, day)
    athlete.change_ftp(290, day)

    assert athlete.ftp_on(day) == 290
    assert len(athlete.ftp_history) == 2


def test_athlete_change_ftp_is_a_no_op_when_nothing_changes(athlete: Athlete) -> None:
    athlete.change_ftp(280, athlete.created_on.date())

    assert events(athlete) == []


@pytest.mark.parametrize(
    ("ftp_w", "effective_from"),
    [(0, date(2026, 1, 1)), (300, "2026-01-01"), (300, datetime(2026, 1, 1, 12))],
)
def test_athlete_change_ftp_rejects_bad_values(
    athlete: Athlete, ftp_w: Any, effective_from: Any
) -> None:
    with pytest.raises(InvalidProfile):
        athlete.change_ftp(ftp_w, effective_from)

    assert athlete.ftp_w == 280


def test_athlete_change_weight_records_the_new_weight(athlete: Athlete) -> None:
    athlete.change_weight(56.8)

    [(name, fields)] = events(athlete)
    assert (name, fields["weight_kg"]) == ("WeightChanged", 56.8)
    assert athlete.weight_kg == 56.8


@pytest.mark.parametrize("weight_kg", [19.99, 250.01, float("inf"), None])
def test_athlete_change_weight_rejects_out_of_range_values(
    athlete: Athlete, weight_kg: Any
) -> None:
    with pytest.raises(InvalidProfile):
        athlete.change_weight(weight_kg)

    assert athlete.weight_kg == 57.5


def test_athlete_change_thresholds_records_both_heart_rates(athlete: Athlete) -> None:
    athlete.change_thresholds(max_hr=188, threshold_hr=171)
    athlete.change_thresholds(max_hr=188, threshold_hr=None)

    changes = [(f["max_hr"], f["threshold_hr"]) for _, f in events(athlete)]
    assert changes == [(188, 171), (188, None)]
    assert (athlete.max_hr, athlete.threshold_hr) == (188, None)


@pytest.mark.parametrize(("max_hr", "threshold_hr"), [(150, 160), (250, 170), (190, 59)])
def test_athlete_change_thresholds_rejects_inconsistent_heart_rates(
    athlete: Athlete, max_hr: int, threshold_hr: int
) -> None:
    with pytest.raises(InvalidProfile):
        athlete.change_thresholds(max_hr, threshold_hr)

    assert events(athlete) == []


def test_athlete_change_zones_sets_custom_bounds_and_back_to_coggan(athlete: Athlete) -> None:
    athlete.change_zones([60, 80, 95, 110])
    custom = athlete.power_zones
    athlete.change_zones(None)

    changes = [f["power_zones"] for _, f in events(athlete)]
    assert changes == [[60.0, 80.0, 95.0, 110.0], None]
    assert custom == (60.0, 80.0, 95.0, 110.0)
    assert athlete.power_zones == COGGAN_POWER_ZONES


def test_athlete_change_zones_is_a_no_op_when_the_bounds_are_unchanged(athlete: Athlete) -> None:
    athlete.change_zones([56, 76])
    athlete.collect_events()

    athlete.change_zones([56.0, 76.0])
    athlete.change_zones([56, 76])

    assert events(athlete) == []


@pytest.mark.parametrize(
    "power_zones",
    [[], [60, 60, 90], [90, 60], [0, 55], [-5, 55], [55, 1001], [55, "75"], list(range(1, 14))],
)
def test_athlete_change_zones_rejects_bounds_that_are_not_increasing_percentages(
    athlete: Athlete, power_zones: Any
) -> None:
    with pytest.raises(InvalidProfile):
        athlete.change_zones(power_zones)

    assert not athlete.has_custom_zones


def test_athlete_rename_records_the_trimmed_name_once(athlete: Athlete) -> None:
    athlete.rename(" Anna K. ")
    athlete.rename("Anna K.")

    [(name, fields)] = events(athlete)
    assert (name, fields["name"]) == ("Renamed", "Anna K.")
    assert athlete.name == "Anna K."


@pytest.mark.parametrize("name", ["", "   ", None, "y" * 101])
def test_athlete_rename_rejects_an_empty_or_overlong_name(athlete: Athlete, name: Any) -> None:
    with pytest.raises(InvalidProfile):
        athlete.rename(name)

    assert athlete.name == "Anna Kiesenhofer"


def test_athlete_rebuilt_from_its_events_has_the_same_profile(owner_id: UUID) -> None:
    original = Athlete.create(owner_id, "Rider", 250, 72.0, max_hr=190)
    day = original.created_on.date()
    original.change_ftp(262, day + timedelta(days=14))
    original.change_weight(71.2)
    original.change_thresholds(190, 172)
    original.change_zones([55, 75, 90, 105, 120])
    original.rename("Rider One")

    rebuilt: Athlete | None = None
    for domain_event in original.collect_events():
        rebuilt = domain_event.mutate(rebuilt)

    assert rebuilt == original
    assert isinstance(rebuilt, Athlete)
    assert rebuilt.ftp_on(day + timedelta(days=20)) == 262
    assert rebuilt.power_zones == (55.0, 75.0, 90.0, 105.0, 120.0)


def test_athlete_cp_defaults_to_the_ftp_in_force_and_w_prime_to_20_kj(athlete: Athlete) -> None:
    day = athlete.created_on.date()
    athlete.change_ftp(300, day + timedelta(days=10))
    assert athlete.cp_on(day) == 280
    assert athlete.cp_on(day + timedelta(days=10)) == 300
    assert athlete.w_prime_on(day) == 20000
    assert athlete.power_threshold_history == []


def test_athlete_cp_and_w_prime_have_a_history_like_ftp(athlete: Athlete) -> None:
    day = athlete.created_on.date()
    athlete.change_power_thresholds(270, 18000, effective_from=day + timedelta(days=30))
    athlete.change_power_thresholds(None, 22000, effective_from=day + timedelta(days=60))
    [(name, fields), _] = events(athlete)
    assert name == "PowerThresholdsChanged"
    assert fields["effective_from"] == (day + timedelta(days=30)).isoformat()
    # Before the first change: the defaults; a ride uses the values in force on its day.
    assert (athlete.cp_on(day), athlete.w_prime_on(day)) == (280, 20000)
    assert (
        athlete.cp_on(day + timedelta(days=45)),
        athlete.w_prime_on(day + timedelta(days=45)),
    ) == (
        270,
        18000,
    )
    # None: CP follows the FTP in force again.
    assert athlete.cp_on(day + timedelta(days=90)) == 280
    assert athlete.w_prime_on(day + timedelta(days=90)) == 22000
    assert [cp for _, cp, _ in athlete.power_threshold_history] == [270, None]


def test_athlete_power_thresholds_unchanged_record_nothing(athlete: Athlete) -> None:
    day = athlete.created_on.date()
    athlete.change_power_thresholds(270, 18000, day)
    athlete.collect_events()
    athlete.change_power_thresholds(270, 18000, day)
    assert events(athlete) == []


@pytest.mark.parametrize(
    ("cp_w", "w_prime_j", "effective_from"),
    [
        (0, 20000, date(2026, 1, 1)),
        (250.5, 20000, date(2026, 1, 1)),
        (True, 20000, date(2026, 1, 1)),
        (250, 999, date(2026, 1, 1)),
        (250, 100001, date(2026, 1, 1)),
        (250, 20000, datetime(2026, 1, 1)),
        (250, 20000, "2026-01-01"),
    ],
)
def test_athlete_power_thresholds_reject_bad_values_and_record_nothing(
    athlete: Athlete, cp_w: Any, w_prime_j: Any, effective_from: Any
) -> None:
    with pytest.raises(InvalidProfile):
        athlete.change_power_thresholds(cp_w, w_prime_j, effective_from)
    assert events(athlete) == []
    assert athlete.power_threshold_history == []


def test_athlete_rebuilt_from_its_events_keeps_its_cp_history(owner_id: UUID) -> None:
    original = Athlete.create(owner_id, "Rider", 250, 72.0)
    day = original.created_on.date()
    original.change_power_thresholds(265, 24000, day + timedelta(days=3))
    rebuilt: Athlete | None = None
    for domain_event in original.collect_events():
        rebuilt = domain_event.mutate(rebuilt)
    assert rebuilt == original
    assert isinstance(rebuilt, Athlete)
    assert rebuilt.cp_on(day + timedelta(days=3)) == 265
