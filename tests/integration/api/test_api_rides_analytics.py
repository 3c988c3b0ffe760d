"""Ride files uploaded through the API (and imported with `wattlog import`) become the
owner's sessions, and the analytics routes serve what the projectors made of them."""

from __future__ import annotations

import argparse
import asyncio
import math
from pathlib import Path
from typing import Any
from urllib.parse import quote
from uuid import UUID

import aiohttp
from api_harness import Api, User
from pipeline_helpers import project_all

from adapters.eventstore import WattlogStore
from adapters.importers import command
from adapters.importers.fit import read_fit_ride
from adapters.settings import Settings

FIT = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "fit"
INDOOR = (FIT / "sample-activity-indoor-trainer.fit").read_bytes()
EDGE = (FIT / "Edge810-Vector-2013-08-16-15-35-10.fit").read_bytes()
PAUSED = (FIT / "2019-02-17-062644-ELEMNT-297E-195-0.fit").read_bytes()
TRUNCATED = (FIT / "activity-unexpected-eof.fit").read_bytes()
OCTETS = {"Content-Type": "application/octet-stream"}


async def upload(api: Api, user: User, athlete_id: str, data: bytes) -> Any:
    return await api.call(
        "POST", f"/api/athletes/{athlete_id}/rides", user, data=data, headers=OCTETS
    )


async def sessions_of(api: Api, user: User, query: str = "") -> list[dict[str, Any]]:
    reply = await api.call("GET", f"/api/sessions{query}", user)
    assert reply.status == 200, reply.body
    return list(reply.body["sessions"])


async def test_uploaded_ride_is_listed_and_its_analytics_match_its_summary(
    api: Api, store: WattlogStore, settings: Settings
) -> None:
    user = await api.register()
    athlete = await api.athlete(user)
    reply = await upload(api, user, athlete["id"], INDOOR)
    assert reply.status == 201, reply.body
    session_id = reply.body["session_id"]
    listed = await sessions_of(api, user)
    assert [(s["id"], s["status"], s["transport"]) for s in listed] == [
        (session_id, "finished", "import")
    ]

    await project_all(store, settings)
    ride = read_fit_ride(INDOOR)
    summary = (await api.call("GET", f"/api/sessions/{session_id}", user)).body["summary"]
    assert summary is not None

    series = (await api.call("GET", f"/api/sessions/{session_id}/series", user)).body
    assert series["t"][0] == math.floor(ride.start_time.timestamp())
    assert series["t"] == sorted(series["t"])
    file_power = [v["power_w"] for _, v in ride.records if v.get("power_w") is not None]
    assert max(p for p in series["power_w"] if p is not None) == max(file_power)
    assert len(series["wbal_j"]) == len(series["t"])
    assert summary["wbal_min_j"] < summary["w_prime_j"]  # the ride goes above CP
    assert math.isclose(min(series["wbal_j"]), summary["wbal_min_j"], abs_tol=0.05)

    minutes = (await api.call("GET", f"/api/sessions/{session_id}/minutes", user)).body
    assert math.isclose(sum(w or 0 for w in minutes["work_kj"]), summary["work_kj"], rel_tol=1e-3)

    curve = (await api.call("GET", f"/api/sessions/{session_id}/power-curve", user)).body
    assert curve["durations_s"][0] == 1 and curve["watts"][0] == max(file_power)
    assert len(curve["watts"]) == len(curve["durations_s"]) > 1

    zones = (await api.call("GET", f"/api/sessions/{session_id}/zones", user)).body
    assert zones["ftp_w"] == reply.body["ftp_w"]

    day = ride.start_time.date().isoformat()
    athlete_path = f"/api/athletes/{athlete['id']}"
    fitness = (await api.call("GET", f"{athlete_path}/fitness?start={day}&end={day}", user)).body
    assert [d["day"] for d in fitness["fitness"]] == [day]
    assert math.isclose(fitness["fitness"][0]["tss"], summary["tss"], rel_tol=1e-6)

    weeks = (await api.call("GET", f"{athlete_path}/summaries?period=week", user)).body
    assert [(w["rides"], round(w["tss"], 6)) for w in weeks["summaries"]] == [
        (1, round(summary["tss"], 6))
    ]

    efforts = (await api.call("GET", f"{athlete_path}/best-efforts", user)).body["best_efforts"]
    one_minute = next(e for e in efforts if e["duration_s"] == 60)
    assert one_minute["session_id"] == session_id and one_minute["day"] == day
    assert one_minute["watts"] == curve["watts"][curve["durations_s"].index(60)]

    athlete_curve = (await api.call("GET", f"{athlete_path}/power-curve", user)).body
    assert athlete_curve["watts"] == curve["watts"]
    assert set(athlete_curve["session_ids"]) == {session_id}


async def test_wbal_series_of_a_ride_with_stops_recovers_across_them_down_to_the_summary_low(
    api: Api, store: WattlogStore, settings: Settings
) -> None:
    user = await api.register()
    athlete = await api.athlete(user)
    reply = await upload(api, user, athlete["id"], PAUSED)
    assert reply.status == 201, reply.body
    session_id = reply.body["session_id"]
    series = (await api.call("GET", f"/api/sessions/{session_id}/series", user)).body
    assert series["t"] == [] and series["wbal_j"] is None  # not projected yet
    await project_all(store, settings)
    summary = (await api.call("GET", f"/api/sessions/{session_id}", user)).body["summary"]
    series = (await api.call("GET", f"/api/sessions/{session_id}/series", user)).body
    t, wbal = series["t"], series["wbal_j"]
    assert len(wbal) == len(t)
    assert math.isclose(min(wbal), summary["wbal_min_j"], abs_tol=0.05)
    assert max(wbal) <= summary["w_prime_j"]
    # Across every stop of a minute or more the rider, at 0 W, gets W' back.
    stops = [k for k in range(1, len(t)) if t[k] - t[k - 1] >= 60 and wbal[k - 1] < 19_000]
    assert stops, "the ELEMNT ride has long stops after efforts above CP"
    for k in stops:
        assert wbal[k] > wbal[k - 1], (t[k - 1], t[k])


async def test_analytics_queries_with_bad_parameters_are_refused_naming_the_parameter(
    api: Api,
) -> None:
    user = await api.register()
    athlete = await api.athlete(user)
    path = f"/api/athletes/{athlete['id']}"
    for query, field in (
        ("summaries?period=year", "period"),
        ("fitness?start=last-monday", "start"),
        ("best-efforts?start=2024-02-01&end=2024-01-01", "start"),
    ):
        reply = await api.call("GET", f"{path}/{query}", user)
        assert (reply.status, reply.body["error"]["field"]) == (422, field), query


async def test_broken_ride_file_is_refused_with_the_reason_and_stores_nothing(
    api: Api, store: WattlogStore
) -> None:
    user = await api.register()
    athlete = await api.athlete(user)
    head = store.recorder.max_notification_id()
    reply = await upload(api, user, athlete["id"], TRUNCATED)
    assert (reply.status, reply.error_code) == (422, "invalid_ride"), reply.body
    assert "truncated" in reply.body["error"]["message"]
    assert store.recorder.max_notification_id() == head
    assert await sessions_of(api, user) == []


async def test_uploading_the_same_ride_again_answers_200_and_stores_nothing(
    api: Api, store: WattlogStore
) -> None:
    user = await api.register()
    athlete = await api.athlete(user)
    first = await upload(api, user, athlete["id"], INDOOR)
    assert first.status == 201, first.body
    head = store.recorder.max_notification_id()
    form = aiohttp.FormData()
    form.add_field("file", INDOOR, filename="ride.fit", content_type="application/octet-stream")
    again = await api.call("POST", f"/api/athletes/{athlete['id']}/rides", user, data=form)
    assert (again.status, again.body["created"]) == (200, False), again.body
    assert again.body["session_id"] == first.body["session_id"]
    assert store.recorder.max_notification_id() == head
    assert len(await sessions_of(api, user)) == 1


async def test_sessions_page_backwards_with_before(api: Api) -> None:
    user = await api.register()
    athlete = await api.athlete(user)
    for data in (INDOOR, EDGE):
        assert (await upload(api, user, athlete["id"], data)).status == 201
    both = await sessions_of(api, user)
    assert len(both) == 2 and both[0]["started_at"] > both[1]["started_at"]
    newest = await sessions_of(api, user, "?limit=1")
    assert [s["id"] for s in newest] == [both[0]["id"]]
    older = await sessions_of(api, user, f"?limit=1&before={quote(newest[0]['started_at'])}")
    assert [s["id"] for s in older] == [both[1]["id"]]
    oldest = await sessions_of(api, user, f"?before={quote(older[0]['started_at'])}")
    assert oldest == []


async def test_ride_imported_with_wattlog_import_is_in_its_owners_session_list(
    api: Api, settings: Settings
) -> None:
    user = await api.register()
    athlete = await api.athlete(user)
    args = argparse.Namespace(
        files=[FIT / "sample-activity-indoor-trainer.fit"],
        athlete=UUID(athlete["id"]),
        owner=None,
        ftp=None,
    )
    assert await asyncio.to_thread(command.run, settings, args) == 0
    listed = await sessions_of(api, user)
    assert [(s["athlete_id"], s["status"]) for s in listed] == [(athlete["id"], "finished")]
