"""Zones that fit the rider in `session_summaries`: HR zones from the threshold or maximum HR
in force on the ride's day, recomputed when they change; the rider's own power zones."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
from projection_helpers import catch_up

from adapters.eventstore import WattlogStore
from adapters.importers.fit import read_fit_ride
from adapters.importers.service import import_ride
from adapters.settings import Settings
from domain.athletes import Athlete
from domain.metrics.resample import resample_to_1hz
from domain.metrics.summary import RideSummary, summarize_ride

FIT = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "fit"
NAME = "Edge810-Vector-2013-08-16-15-35-10.fit"
RIDE_DAY = date(2013, 8, 16)


def _direct(data: bytes, **options: Any) -> RideSummary:
    ride = read_fit_ride(data)
    readings = [(t, values) for t, values in ride.records if values]
    return summarize_ride(resample_to_1hz(readings, readings[0][0]), ftp_w=315, **options)


def _zones(settings: Settings, session_id: Any) -> tuple[Any, Any]:
    with psycopg.connect(settings.database_url) as db:
        row = db.execute(
            "SELECT time_in_power_zones, time_in_hr_zones FROM session_summaries"
            " WHERE session_id = %s",
            (session_id,),
        ).fetchone()
    assert row is not None
    power, hr = row
    as_pairs = [(z["zone"], z["seconds"]) for z in hr] if hr else None
    return [(z["zone"], z["seconds"]) for z in power], as_pairs


def test_hr_zones_follow_the_thresholds_in_force_on_the_rides_day(
    store: WattlogStore, settings: Settings
) -> None:
    data = (FIT / NAME).read_bytes()
    owner_id = uuid4()
    athlete = Athlete.create(owner_id, "Rider", ftp_w=315, weight_kg=70.0)
    store.save(athlete)
    result = import_ride(store, athlete_id=athlete.id, owner_id=owner_id, ftp_w=315, data=data)
    catch_up(store, settings)
    assert _zones(settings, result.session_id)[1] is None  # no threshold, no maximum

    athlete.change_thresholds(190, None, effective_from=RIDE_DAY + timedelta(days=1))
    store.save(athlete)
    catch_up(store, settings)
    assert _zones(settings, result.session_id)[1] is None  # set after the ride's day

    athlete.change_thresholds(190, None, effective_from=RIDE_DAY)
    store.save(athlete)
    catch_up(store, settings)
    from_max = _direct(data, max_hr=190).time_in_hr_zones_s
    assert from_max is not None and from_max[0][0] == "Z1 Very light"
    assert _zones(settings, result.session_id)[1] == list(from_max)

    athlete.change_thresholds(190, 170, effective_from=RIDE_DAY - timedelta(days=30))
    athlete.change_thresholds(190, 170, effective_from=RIDE_DAY)
    store.save(athlete)
    catch_up(store, settings)
    from_lthr = _direct(data, threshold_hr=170).time_in_hr_zones_s
    assert from_lthr is not None and from_lthr[0][0] == "Z1 Active recovery"
    assert _zones(settings, result.session_id)[1] == list(from_lthr)


def test_the_riders_own_power_zones_are_applied_to_their_rides(
    store: WattlogStore, settings: Settings
) -> None:
    data = (FIT / NAME).read_bytes()
    owner_id = uuid4()
    athlete = Athlete.create(owner_id, "Rider", ftp_w=315, weight_kg=70.0)
    store.save(athlete)
    result = import_ride(store, athlete_id=athlete.id, owner_id=owner_id, ftp_w=315, data=data)
    catch_up(store, settings)
    coggan = _zones(settings, result.session_id)[0]
    assert [name for name, _ in coggan][:2] == ["Z1 Active recovery", "Z2 Endurance"]

    athlete.change_zones([60, 85, 105])
    store.save(athlete)
    catch_up(store, settings)
    custom = _direct(data, power_zone_bounds_pct=[60.0, 85.0, 105.0]).time_in_power_zones_s
    assert custom is not None
    assert _zones(settings, result.session_id)[0] == list(custom)
    assert [name for name, _ in custom] == ["Z1", "Z2", "Z3", "Z4"]
    assert math.isclose(sum(s for _, s in custom), sum(s for _, s in coggan))

    athlete.change_zones(None)  # back to Coggan's
    store.save(athlete)
    catch_up(store, settings)
    assert _zones(settings, result.session_id)[0] == coggan
