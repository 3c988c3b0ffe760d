"""FIT rides imported through the event store and the projectors agree with GoldenCheetah;
broken files are refused and store nothing."""

from __future__ import annotations

import argparse
import json
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from projection_helpers import catch_up

from adapters.eventstore import WattlogStore
from adapters.importers import command
from adapters.importers.fit import read_fit_ride
from adapters.importers.service import import_ride
from adapters.settings import Settings
from domain.athletes import Athlete
from domain.metrics.resample import resample_to_1hz
from domain.metrics.summary import summarize_ride

FIT = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "fit"

# GoldenCheetah 3.5 on the same files, FTP set to the file's threshold (fixtures/README.md).
GOLDENCHEETAH = {
    "Edge810-Vector-2013-08-16-15-35-10.fit": (315, 300.59, 118.88, 1294.78),
    "sample-activity-indoor-trainer.fit": (250, 226.58, 51.66, 447.67),
}
PAUSED_RIDE = "2019-02-17-062644-ELEMNT-297E-195-0.fit"
BROKEN = ("activity-unexpected-eof.fit", "activity-settings-corruptheader.fit")


def _summary(settings: Settings, session_id: Any) -> tuple[Any, ...]:
    with psycopg.connect(settings.database_url) as db:
        row = db.execute(
            "SELECT normalized_power_w, tss, work_kj, status, duration_s FROM session_summaries"
            " WHERE session_id = %s",
            (session_id,),
        ).fetchone()
    assert row is not None
    return tuple(row)


@pytest.mark.parametrize("name", sorted(GOLDENCHEETAH))
def test_imported_ride_matches_goldencheetah_when_read_back_from_session_summaries(
    store: WattlogStore, settings: Settings, name: str
) -> None:
    ftp, np_w, tss, work_kj = GOLDENCHEETAH[name]
    result = import_ride(
        store, athlete_id=uuid4(), owner_id=uuid4(), ftp_w=ftp, data=(FIT / name).read_bytes()
    )
    catch_up(store, settings)
    got_np, got_tss, got_work, status, _ = _summary(settings, result.session_id)
    assert status == "finished"
    assert abs(got_np - np_w) <= 1.0
    assert abs(got_tss - tss) <= 0.01 * tss
    assert abs(got_work - work_kj) <= 0.005 * work_kj


def test_imported_ride_with_pauses_is_summarised_as_the_domain_summarises_the_file(
    store: WattlogStore, settings: Settings
) -> None:
    data = (FIT / PAUSED_RIDE).read_bytes()
    result = import_ride(store, athlete_id=uuid4(), owner_id=uuid4(), ftp_w=220, data=data)
    catch_up(store, settings)
    ride = read_fit_ride(data)
    # The session holds readings: a record with no value (this file's first) is not one.
    readings = [(t, values) for t, values in ride.records if values]
    direct = summarize_ride(resample_to_1hz(readings, readings[0][0]), ftp_w=220)
    got_np, got_tss, got_work, _, duration = _summary(settings, result.session_id)
    assert duration == direct.duration_s
    assert direct.normalized_power_w is not None and direct.tss is not None
    assert math.isclose(got_np, direct.normalized_power_w, rel_tol=1e-6)
    assert math.isclose(got_tss, direct.tss, rel_tol=1e-6)
    assert math.isclose(got_work, direct.work_kj or 0.0, rel_tol=1e-6)


def test_imported_ride_summary_holds_w_prime_xpower_ef_and_zones_as_goldencheetah(
    store: WattlogStore, settings: Settings
) -> None:
    # No CP or W' set anywhere: the summary uses the FTP in force as CP and W' = 20 kJ, the
    # settings GoldenCheetah's reference was computed with (goldencheetah-reference.json).
    name = "Edge810-Vector-2013-08-16-15-35-10.fit"
    reference = next(
        ride
        for ride in json.loads((FIT / "goldencheetah-reference.json").read_text())["rides"]
        if ride["file"] == name
    )
    gc = reference["metrics"]
    data = (FIT / name).read_bytes()
    result = import_ride(store, athlete_id=uuid4(), owner_id=uuid4(), ftp_w=315, data=data)
    catch_up(store, settings)
    with psycopg.connect(settings.database_url) as db:
        row = db.execute(
            "SELECT cp_w, w_prime_j, wprime_expended_kj, wbal_min_j, xpower_w,"
            " efficiency_factor, decoupling_pct, time_in_power_zones FROM session_summaries"
            " WHERE session_id = %s",
            (result.session_id,),
        ).fetchone()
    assert row is not None
    cp, w_prime, expended, wbal_min, xpower, ef, decoupling, zones = row
    assert (cp, w_prime) == (315, 20000)
    assert abs(expended - gc["skiba_wprime_exp"]) <= 0.5
    assert abs(wbal_min / 1000 - gc["skiba_wprime_low"]) <= 0.5
    assert abs(xpower - gc["skiba_xpower"]) <= 1.0
    assert abs(ef - gc["friel_efficiency_factor"]) <= 0.01
    assert abs(decoupling - gc["aerobic_decoupling"]) <= 0.5
    seconds = [zone["seconds"] for zone in zones]
    expected = [gc[f"time_in_zone_L{k}"] for k in range(1, 8)]
    assert all(abs(a - b) <= 2 for a, b in zip(seconds, expected, strict=True)), seconds


def test_changing_an_athletes_cp_and_w_prime_recomputes_their_rides_from_that_day(
    store: WattlogStore, settings: Settings
) -> None:
    name = "Edge810-Vector-2013-08-16-15-35-10.fit"
    data = (FIT / name).read_bytes()
    owner_id = uuid4()
    athlete = Athlete.create(owner_id, "Rider", ftp_w=315, weight_kg=70.0)
    store.save(athlete)
    result = import_ride(store, athlete_id=athlete.id, owner_id=owner_id, ftp_w=315, data=data)
    catch_up(store, settings)
    ride_day = date(2013, 8, 16)

    def figures() -> tuple[Any, ...]:
        with psycopg.connect(settings.database_url) as db:
            row = db.execute(
                "SELECT cp_w, w_prime_j, wprime_expended_kj, wbal_min_j FROM session_summaries"
                " WHERE session_id = %s",
                (result.session_id,),
            ).fetchone()
        assert row is not None
        return tuple(row)

    assert figures()[:2] == (315, 20000)
    athlete.change_power_thresholds(None, 15000, ride_day + timedelta(days=1))  # after the ride
    store.save(athlete)
    catch_up(store, settings)
    assert figures()[:2] == (315, 20000)

    athlete.change_power_thresholds(300, 25000, ride_day)
    store.save(athlete)
    catch_up(store, settings)
    ride = read_fit_ride(data)
    readings = [(t, values) for t, values in ride.records if values]
    direct = summarize_ride(
        resample_to_1hz(readings, readings[0][0]), ftp_w=315, cp_w=300, w_prime_j=25000
    )
    cp, w_prime, expended, wbal_min = figures()
    assert (cp, w_prime) == (300, 25000)
    assert math.isclose(expended, direct.wprime_expended_kj or 0.0, rel_tol=1e-9)
    assert math.isclose(wbal_min, direct.wbal_min_j or 0.0, rel_tol=1e-9)


def test_importing_the_same_file_twice_stores_it_once(store: WattlogStore) -> None:
    athlete_id, owner_id = uuid4(), uuid4()
    data = (FIT / "sample-activity-indoor-trainer.fit").read_bytes()
    first = import_ride(store, athlete_id=athlete_id, owner_id=owner_id, ftp_w=250, data=data)
    head = store.recorder.max_notification_id()
    again = import_ride(store, athlete_id=athlete_id, owner_id=owner_id, ftp_w=250, data=data)
    assert (first.created, again.created) == (True, False)
    assert again.session_id == first.session_id
    assert store.recorder.max_notification_id() == head


def test_import_command_refuses_broken_files_storing_nothing_and_imports_the_rest(
    store: WattlogStore, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    head = store.recorder.max_notification_id()
    args = argparse.Namespace(
        files=[FIT / BROKEN[0], FIT / BROKEN[1]], athlete=uuid4(), owner=uuid4(), ftp=250
    )
    assert command.run(settings, args) == 1
    errors = capsys.readouterr().err.splitlines()
    refused = [line for line in errors if "refused" in line]
    assert len(refused) == 2
    assert "truncated" in refused[0] and BROKEN[0] in refused[0]
    assert "header" in refused[1] and BROKEN[1] in refused[1]
    assert store.recorder.max_notification_id() == head

    args.files = [FIT / BROKEN[0], FIT / "sample-activity-indoor-trainer.fit"]
    assert command.run(settings, args) == 1
    assert "imported as session" in capsys.readouterr().out
    assert (store.recorder.max_notification_id() or 0) > (head or 0)


def test_import_command_sets_lthr_max_hr_cp_and_w_prime_for_the_imported_rides(
    store: WattlogStore, settings: Settings
) -> None:
    owner_id = uuid4()
    athlete = Athlete.create(owner_id, "Rider", ftp_w=315, weight_kg=70.0)
    store.save(athlete)
    name = "Edge810-Vector-2013-08-16-15-35-10.fit"
    args = argparse.Namespace(
        files=[FIT / name], athlete=athlete.id, owner=None, ftp=None,
        lthr=170, max_hr=190, cp=300, w_prime=25000,
    )  # fmt: skip
    assert command.run(settings, args) == 0
    catch_up(store, settings)
    profile = store.repository.get(athlete.id)
    assert (profile.threshold_hr, profile.max_hr) == (170, 190)
    assert profile.cp_on(date(2013, 8, 16)) == 300
    assert profile.cp_on(date(2013, 8, 15)) == 315  # before the rides: the FTP, as before
    with psycopg.connect(settings.database_url) as db:
        row = db.execute(
            "SELECT cp_w, w_prime_j, time_in_hr_zones FROM session_summaries WHERE athlete_id = %s",
            (athlete.id,),
        ).fetchone()
    assert row is not None
    cp, w_prime, hr_zones = row
    assert (cp, w_prime) == (300, 25000)
    reference = json.loads((FIT / "goldencheetah-reference.json").read_text())["rides"]
    gc = next(ride for ride in reference if ride["file"] == name)["metrics"]
    expected = [gc.get(f"time_in_zone_H{k}", 0) for k in range(1, 6)]
    seconds = [zone["seconds"] for zone in hr_zones]
    assert all(abs(a - b) <= 2 for a, b in zip(seconds, expected, strict=True)), seconds


@pytest.mark.parametrize(
    ("known_athlete", "options", "message"),
    [
        (False, {"cp": 300}, "is unknown"),
        (True, {"w_prime": 5}, "w_prime_j must be"),
        (True, {"lthr": 200, "max_hr": 180}, "threshold_hr cannot be above max_hr"),
    ],
)
def test_import_command_refuses_bad_thresholds_storing_nothing(
    store: WattlogStore,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    known_athlete: bool,
    options: dict[str, int],
    message: str,
) -> None:
    owner_id = uuid4()
    athlete = Athlete.create(owner_id, "Rider", ftp_w=250, weight_kg=70.0)
    if known_athlete:
        store.save(athlete)
    head = store.recorder.max_notification_id()
    args = argparse.Namespace(
        files=[FIT / "sample-activity-indoor-trainer.fit"], athlete=athlete.id, owner=owner_id,
        ftp=None, lthr=None, max_hr=None, cp=None, w_prime=None,
    )  # fmt: skip
    for key, value in options.items():
        setattr(args, key, value)
    assert command.run(settings, args) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("wattlog import: ") and message in line
    assert store.recorder.max_notification_id() == head
