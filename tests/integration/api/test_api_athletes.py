"""Athletes: a user's riders with FTP history, thresholds, weight and zones."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from api_harness import Api


async def test_a_user_creates_and_lists_several_athletes(api: Api) -> None:
    user = await api.register()
    first = await api.athlete(user, ftp_w=250)
    second = await api.athlete(user, ftp_w=180)
    listed = await api.call("GET", "/api/athletes", user)
    assert [a["id"] for a in listed.body["athletes"]] == [first["id"], second["id"]]
    assert (await api.call("GET", f"/api/athletes/{first['id']}", user)).body == first


async def test_an_athlete_shows_zones_in_watts_from_its_ftp(api: Api) -> None:
    user = await api.register()
    athlete = await api.athlete(user, ftp_w=200)
    zones = athlete["power_zones"]
    assert zones["custom"] is False
    # Coggan's zone 4 (threshold) ends at 105 % FTP: 210 W for 200 W.
    assert zones["zones"][3] == {"zone": 4, "from_w": 180, "to_w": 210}
    assert zones["zones"][-1]["to_w"] is None


async def test_changing_the_ftp_keeps_its_history(api: Api) -> None:
    user = await api.register()
    athlete = await api.athlete(user, ftp_w=250)
    later = (date.today() + timedelta(days=7)).isoformat()
    reply = await api.call(
        "POST",
        f"/api/athletes/{athlete['id']}/ftp",
        user,
        json={"ftp_w": 265, "effective_from": later},
    )
    assert reply.status == 200
    assert reply.body["ftp_history"] == [
        {"effective_from": date.today().isoformat(), "ftp_w": 250},
        {"effective_from": later, "ftp_w": 265},
    ]


async def test_patching_an_athlete_changes_only_what_is_sent(api: Api) -> None:
    user = await api.register()
    athlete = await api.athlete(user)
    reply = await api.call(
        "PATCH",
        f"/api/athletes/{athlete['id']}",
        user,
        json={"weight_kg": 68.5, "max_hr": 190, "power_zones": [50, 70, 85, 100, 115, 140]},
    )
    assert reply.status == 200
    assert reply.body["weight_kg"] == 68.5
    assert reply.body["max_hr"] == 190
    assert reply.body["name"] == athlete["name"]
    assert reply.body["power_zones"]["custom"] is True
    reset = await api.call(
        "PATCH", f"/api/athletes/{athlete['id']}", user, json={"power_zones": None}
    )
    assert reset.body["power_zones"]["custom"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "R", "ftp_w": 0, "weight_kg": 70}, "ftp_w"),
        ({"name": "R", "ftp_w": 250.5, "weight_kg": 70}, "ftp_w"),
        ({"name": "R", "ftp_w": 250, "weight_kg": 7}, "weight_kg"),
        ({"name": "", "ftp_w": 250, "weight_kg": 70}, "name"),
        ({"name": "R", "ftp_w": 250, "weight_kg": 70, "max_hr": 300}, "max_hr"),
        (
            {"name": "R", "ftp_w": 250, "weight_kg": 70, "max_hr": 170, "threshold_hr": 180},
            "threshold_hr",
        ),
        ({"name": "R", "ftp_w": 250, "weight_kg": 70, "power_zones": [80, 60]}, "power_zones"),
        ({"ftp_w": 250, "weight_kg": 70}, "name"),
    ],
)
async def test_an_invalid_athlete_is_refused_naming_the_field(
    api: Api, body: dict[str, object], field: str
) -> None:
    user = await api.register()
    reply = await api.call("POST", "/api/athletes", user, json=body)
    assert reply.status == 422
    assert reply.body["error"]["field"] == field


async def test_an_unknown_athlete_id_is_not_found(api: Api) -> None:
    user = await api.register()
    for path in ("/api/athletes/00000000-0000-0000-0000-000000000000", "/api/athletes/nope"):
        reply = await api.call("GET", path, user)
        assert reply.status == 404
        assert reply.error_code == "not_found"


async def test_cp_and_w_prime_default_to_the_ftp_and_20_kj_and_keep_a_history(api: Api) -> None:
    user = await api.register()
    athlete = await api.athlete(user, ftp_w=250)
    assert (athlete["cp_w"], athlete["w_prime_j"]) == (250, 20000)
    assert athlete["power_threshold_history"] == []
    today = date.today().isoformat()
    reply = await api.call(
        "POST",
        f"/api/athletes/{athlete['id']}/power-thresholds",
        user,
        json={"cp_w": 262, "w_prime_j": 18500},
    )
    assert reply.status == 200
    assert (reply.body["cp_w"], reply.body["w_prime_j"]) == (262, 18500)
    assert reply.body["power_threshold_history"] == [
        {"effective_from": today, "cp_w": 262, "w_prime_j": 18500}
    ]
    assert (await api.call("GET", f"/api/athletes/{athlete['id']}", user)).body == reply.body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cp_w": 0}, "cp_w"),
        ({"cp_w": "260"}, "cp_w"),
        ({"w_prime_j": 500}, "w_prime_j"),
        ({"w_prime_j": 20000, "effective_from": "yesterday"}, "effective_from"),
    ],
)
async def test_bad_cp_or_w_prime_is_refused_with_the_field_and_changes_nothing(
    api: Api, body: dict[str, object], field: str
) -> None:
    user = await api.register()
    athlete = await api.athlete(user, ftp_w=250)
    path = f"/api/athletes/{athlete['id']}/power-thresholds"
    reply = await api.call("POST", path, user, json=body)
    assert reply.status == 422
    assert reply.body["error"]["field"] == field
    after = await api.call("GET", f"/api/athletes/{athlete['id']}", user)
    assert after.body["power_threshold_history"] == []
