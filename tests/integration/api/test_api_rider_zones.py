"""Zones that fit the rider through the API: max and threshold HR with history, the rides'
heart-rate zones from them, and time in zones per week."""

from __future__ import annotations

from pathlib import Path

from api_harness import Api
from pipeline_helpers import project_all

from adapters.eventstore import WattlogStore
from adapters.settings import Settings

FIT = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "fit"
EDGE = (FIT / "Edge810-Vector-2013-08-16-15-35-10.fit").read_bytes()  # a Friday
INDOOR = (FIT / "sample-activity-indoor-trainer.fit").read_bytes()
OCTETS = {"Content-Type": "application/octet-stream"}


async def test_hr_thresholds_have_history_and_refuse_bad_values(api: Api) -> None:
    user = await api.register()
    athlete = await api.athlete(user)
    path = f"/api/athletes/{athlete['id']}/hr-thresholds"
    assert athlete["hr_threshold_history"] == [
        {"effective_from": None, "max_hr": None, "threshold_hr": None}
    ]
    assert athlete["ftp_w_per_kg"] == round(250 / 70, 2)
    body = {"max_hr": 190, "threshold_hr": 170, "effective_from": "2013-08-16"}
    changed = await api.call("POST", path, user, json=body)
    assert changed.status == 200, changed.body
    assert changed.body["hr_threshold_history"][-1] == {
        "effective_from": "2013-08-16",
        "max_hr": 190,
        "threshold_hr": 170,
    }
    assert (changed.body["max_hr"], changed.body["threshold_hr"]) == (190, 170)
    for bad, field in (
        ({"max_hr": 300}, "max_hr"),
        ({"max_hr": 170, "threshold_hr": 180}, "threshold_hr"),
        ({"threshold_hr": 170, "effective_from": "16/08/2013"}, "effective_from"),
    ):
        refused = await api.call("POST", path, user, json=bad)
        assert refused.status == 422, bad
        assert refused.body["error"]["field"] == field, refused.body


async def test_time_in_zones_per_week_uses_each_rides_zones(
    api: Api, store: WattlogStore, settings: Settings
) -> None:
    user = await api.register()
    athlete = await api.athlete(user)
    athlete_path = f"/api/athletes/{athlete['id']}"
    # Only a maximum HR, from the Edge ride's day: its HR zones are 50-90 % of max HR bands.
    body = {"max_hr": 195, "effective_from": "2013-08-16"}
    assert (await api.call("POST", f"{athlete_path}/hr-thresholds", user, json=body)).status == 200
    ids = []
    for data in (EDGE, INDOOR):
        reply = await api.call("POST", f"{athlete_path}/rides", user, data=data, headers=OCTETS)
        assert reply.status == 201, reply.body
        ids.append(reply.body["session_id"])
    await project_all(store, settings)

    weeks = (await api.call("GET", f"{athlete_path}/zones", user)).body["weeks"]
    assert [w["week_start"] for w in weeks] == sorted(w["week_start"] for w in weeks)
    assert len(weeks) == 2
    edge_week = next(w for w in weeks if w["week_start"] == "2013-08-12")
    zones = (await api.call("GET", f"/api/sessions/{ids[0]}/zones", user)).body
    assert edge_week["power"] == zones["power"]
    assert edge_week["heart_rate"] == zones["heart_rate"]
    assert edge_week["heart_rate"][0]["zone"] == "Z1 Very light"

    only_2013 = await api.call("GET", f"{athlete_path}/zones?start=2013-08-01&end=2013-08-31", user)
    assert [w["week_start"] for w in only_2013.body["weeks"]] == ["2013-08-12"]
    refused = await api.call("GET", f"{athlete_path}/zones?start=yesterday", user)
    assert refused.status == 422
