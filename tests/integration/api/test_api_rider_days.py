"""Days are the rider's days (issue 15): rides, weeks, fitness and every date range of the
analytics API are counted in the athlete's IANA time zone; imported rides start at their
first record; the fitness chart runs from the first ride to the rider's today."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from api_harness import Api, User
from pipeline_helpers import project_all

from adapters.eventstore import WattlogStore
from adapters.importers.fit import read_fit_ride
from adapters.settings import Settings
from domain.sessions import WorkoutSession

FIT = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "fit"
EDGE = (FIT / "Edge810-Vector-2013-08-16-15-35-10.fit").read_bytes()
INDOOR = (FIT / "sample-activity-indoor-trainer.fit").read_bytes()
OCTETS = {"Content-Type": "application/octet-stream"}
LA, SYDNEY = "America/Los_Angeles", "Australia/Sydney"


def local(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


def ride(store: WattlogStore, athlete_id: str, start: datetime, minutes: int) -> UUID:
    """A ride at a steady 200 W, recorded from ``start`` (saved as a ride file would be)."""
    session = WorkoutSession.start(
        athlete_id=UUID(athlete_id),
        owner_id=uuid4(),
        client_id=f"test-{uuid4().hex[:8]}",
        ftp_w=250,
        transport="import",
        session_id=uuid4(),
        started_at=start,
    )
    t0 = start.timestamp()
    for second in range(minutes * 60):
        session.record_sample(
            session.client_id, second, t0 + second, "trainer", "test", b"", {"power_w": 200.0},
            imported=True,
        )  # fmt: skip
    session.finish()
    store.save(session)
    return session.id


async def rider(api: Api, zone: str | None, ftp_w: int = 250) -> tuple[User, str]:
    user = await api.register()
    body: dict[str, Any] = {"name": "Rider", "ftp_w": ftp_w, "weight_kg": 70}
    if zone is not None:
        body["time_zone"] = zone
    reply = await api.call("POST", "/api/athletes", user, json=body)
    assert reply.status == 201, reply.body
    assert reply.body["time_zone"] == (zone or "UTC")
    return user, f"/api/athletes/{reply.body['id']}"


async def fitness(api: Api, user: User, path: str, query: str = "") -> list[dict[str, Any]]:
    reply = await api.call("GET", f"{path}/fitness{query}", user)
    assert reply.status == 200, reply.body
    return list(reply.body["fitness"])


async def weeks(api: Api, user: User, path: str, query: str = "") -> list[tuple[str, int, int]]:
    reply = await api.call("GET", f"{path}/summaries?period=week{query}", user)
    assert reply.status == 200, reply.body
    return [(w["period_start"], w["rides"], w["seconds"]) for w in reply.body["summaries"]]


def ridden_days(days: list[dict[str, Any]]) -> list[str]:
    return [d["day"] for d in days if d["tss"] > 0]


async def test_a_california_riders_sunday_evening_ride_is_on_their_sunday_in_that_week(
    api: Api, store: WattlogStore, settings: Settings
) -> None:
    user, path = await rider(api, LA)
    start = local(LA, 2026, 5, 31, 19, 0)  # Sunday 19:00 PDT = Monday 02:00 UTC
    ride(store, path.rsplit("/", 1)[1], start, 30)
    await project_all(store, settings)

    days = await fitness(api, user, path, "?start=2026-05-30&end=2026-06-02")
    assert [d["day"] for d in days] == ["2026-05-30", "2026-05-31", "2026-06-01", "2026-06-02"]
    assert days[0]["ctl"] == days[0]["atl"] == 0  # the eve of the first ride
    assert ridden_days(days) == ["2026-05-31"]
    assert await weeks(api, user, path) == [("2026-05-25", 1, 1800)]
    # A range is the rider's days: Monday alone holds nothing, Sunday alone the ride.
    assert await weeks(api, user, path, "&start=2026-06-01&end=2026-06-07") == []
    assert await weeks(api, user, path, "&start=2026-05-31&end=2026-05-31") == [
        ("2026-05-25", 1, 1800)
    ]
    efforts = await api.call("GET", f"{path}/best-efforts?start=2026-05-31&end=2026-05-31", user)
    assert {e["day"] for e in efforts.body["best_efforts"]} == {"2026-05-31"}


async def test_a_sydney_riders_monday_morning_ride_is_on_their_monday_in_the_new_week(
    api: Api, store: WattlogStore, settings: Settings
) -> None:
    user, path = await rider(api, SYDNEY)
    start = local(SYDNEY, 2026, 6, 1, 7, 0)  # Monday 07:00 AEST = Sunday 21:00 UTC
    ride(store, path.rsplit("/", 1)[1], start, 30)
    await project_all(store, settings)

    days = await fitness(api, user, path, "?start=2026-05-31&end=2026-06-01")
    assert ridden_days(days) == ["2026-06-01"]
    assert await weeks(api, user, path) == [("2026-06-01", 1, 1800)]
    months = await api.call("GET", f"{path}/summaries?period=month", user)
    assert [(m["period_start"], m["rides"]) for m in months.body["summaries"]] == [
        ("2026-06-01", 1)
    ]


async def test_a_ride_across_the_riders_midnight_splits_there_in_the_weekly_totals(
    api: Api, store: WattlogStore, settings: Settings
) -> None:
    user, path = await rider(api, LA)
    ride(store, path.rsplit("/", 1)[1], local(LA, 2026, 5, 31, 23, 30), 60)  # into Monday
    await project_all(store, settings)

    # The ride counts in the week it started; its time splits at the rider's midnight.
    assert await weeks(api, user, path) == [("2026-05-25", 1, 1800), ("2026-06-01", 0, 1800)]


@pytest.mark.parametrize(
    ("zone", "start", "day"),
    [
        # 1 Nov 2026 02:00 PDT -> 01:00 PST: 23:30 PST is 07:30 UTC, 00:30 on PDT's clock.
        (LA, datetime(2026, 11, 2, 7, 30, tzinfo=UTC), "2026-11-01"),
        # 8 Mar 2026 02:00 PST -> 03:00 PDT: 00:30 PDT is 07:30 UTC, 23:30 on PST's clock.
        (LA, datetime(2026, 3, 9, 7, 30, tzinfo=UTC), "2026-03-09"),
        # 5 Apr 2026 03:00 AEDT -> 02:00 AEST: 23:30 AEST is 13:30 UTC, 00:30 on AEDT's.
        (SYDNEY, datetime(2026, 4, 5, 13, 30, tzinfo=UTC), "2026-04-05"),
        # 4 Oct 2026 02:00 AEST -> 03:00 AEDT: 00:30 AEDT on the 5th is 13:30 UTC on the
        # 4th, 23:30 on AEST's clock.
        (SYDNEY, datetime(2026, 10, 4, 13, 30, tzinfo=UTC), "2026-10-05"),
    ],
)
async def test_the_riders_day_follows_daylight_saving_changes(
    api: Api, store: WattlogStore, settings: Settings, zone: str, start: datetime, day: str
) -> None:
    user, path = await rider(api, zone)
    ride(store, path.rsplit("/", 1)[1], start, 20)
    await project_all(store, settings)

    the_day = date.fromisoformat(day)
    around = f"?start={the_day - timedelta(days=1)}&end={the_day + timedelta(days=1)}"
    assert ridden_days(await fitness(api, user, path, around)) == [day]
    monday = the_day - timedelta(days=the_day.weekday())
    assert await weeks(api, user, path) == [(monday.isoformat(), 1, 1200)]


async def test_changing_the_zone_moves_past_rides_to_their_days_in_it(
    api: Api, store: WattlogStore, settings: Settings
) -> None:
    user, path = await rider(api, None)  # UTC until the rider says otherwise
    ride(store, path.rsplit("/", 1)[1], datetime(2026, 6, 1, 2, 0, tzinfo=UTC), 30)
    await project_all(store, settings)
    window = "?start=2026-05-30&end=2026-06-02"
    assert ridden_days(await fitness(api, user, path, window)) == ["2026-06-01"]
    assert await weeks(api, user, path) == [("2026-06-01", 1, 1800)]

    refused = await api.call("PUT", f"{path}/time-zone", user, json={"time_zone": "Mars/Base"})
    assert (refused.status, refused.body["error"]["field"]) == (422, "time_zone")
    changed = await api.call("PUT", f"{path}/time-zone", user, json={"time_zone": LA})
    assert (changed.status, changed.body["time_zone"]) == (200, LA), changed.body
    await project_all(store, settings)

    assert ridden_days(await fitness(api, user, path, window)) == ["2026-05-31"]
    assert await weeks(api, user, path) == [("2026-05-25", 1, 1800)]
    shown = await api.call("GET", path, user)
    assert shown.body["time_zone"] == LA


async def test_fitness_runs_from_the_first_ride_to_the_riders_today_as_goldencheetah(
    api: Api, store: WattlogStore, settings: Settings
) -> None:
    user, path = await rider(api, SYDNEY, ftp_w=315)  # the file's threshold, as GC was set
    reply = await api.call("POST", f"{path}/rides", user, data=EDGE, headers=OCTETS)
    assert reply.status == 201, reply.body
    await project_all(store, settings)
    first_record = read_fit_ride(EDGE).start_time
    ride_day = first_record.astimezone(ZoneInfo(SYDNEY)).date()  # 17 Aug 2013, 04:05 AEST

    before = datetime.now(ZoneInfo(SYDNEY)).date()
    days = await fitness(api, user, path)  # no range: all of it, up to today
    after = datetime.now(ZoneInfo(SYDNEY)).date()

    # GoldenCheetah's PMC: 0 on the eve of the first ride, exponential decay after it.
    eve = days.pop(0)
    assert eve == {"day": "2013-08-16", "tss": 0, "ctl": 0, "atl": 0, "tsb": 0}
    assert days[0]["day"] == ride_day.isoformat() == "2013-08-17"
    assert date.fromisoformat(days[-1]["day"]) in {before, after}
    assert [date.fromisoformat(d["day"]) for d in days] == [
        ride_day + timedelta(days=k) for k in range(len(days))
    ]
    tss = days[0]["tss"]
    assert tss == pytest.approx(118.88, rel=0.02)
    ctl_keep, atl_keep = math.exp(-1 / 42), math.exp(-1 / 7)
    assert days[0]["ctl"] == pytest.approx(tss * (1 - ctl_keep), rel=1e-9)
    assert days[0]["atl"] == pytest.approx(tss * (1 - atl_keep), rel=1e-9)
    assert days[0]["tsb"] == 0
    for k in (1, 30, len(days) - 1):
        assert days[k]["tss"] == 0
        assert days[k]["ctl"] == pytest.approx(days[0]["ctl"] * ctl_keep**k, rel=1e-9)
        assert days[k]["tsb"] == pytest.approx(days[k - 1]["ctl"] - days[k - 1]["atl"], rel=1e-9)
    all_time = await weeks(api, user, path)
    assert all_time == [("2013-08-12", 1, all_time[0][2])] and all_time[0][2] > 4000


async def test_imported_rides_start_at_their_first_record_and_history_is_in_ride_order(
    api: Api, store: WattlogStore, settings: Settings
) -> None:
    user, path = await rider(api, None)
    for data in (EDGE, INDOOR):  # 2013, then 2011
        reply = await api.call("POST", f"{path}/rides", user, data=data, headers=OCTETS)
        assert reply.status == 201, reply.body
        ride_file = read_fit_ride(data)
        assert reply.body["started_at"] == ride_file.start_time.isoformat()

    listed = (await api.call("GET", "/api/sessions", user)).body["sessions"]
    edge, indoor = read_fit_ride(EDGE), read_fit_ride(INDOOR)
    assert [datetime.fromisoformat(s["started_at"]) for s in listed] == [
        edge.start_time,
        indoor.start_time,
    ]
    assert [
        (datetime.fromisoformat(s["ended_at"]) - datetime.fromisoformat(s["started_at"]))
        for s in listed
    ] == [timedelta(seconds=4699), timedelta(seconds=2263)]
    await project_all(store, settings)
    all_time = await weeks(api, user, path)
    assert [(w[0], w[1]) for w in all_time] == [("2011-10-31", 1), ("2013-08-12", 1)]
