"""One user can never see, change or command another user's athletes, bridges, sessions
or devices: every such request answers 404, exactly as for an id that does not exist."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from api_harness import Api, User, closed_with

RIDE_FILE = (
    Path(__file__).resolve().parents[3].parent
    / "shared"
    / "fixtures"
    / "fit"
    / "sample-activity-indoor-trainer.fit"
)


@dataclass
class Owner:
    user: User
    athlete: dict[str, Any]
    bridge: dict[str, Any]
    session: dict[str, Any]
    device_id: str


@pytest.fixture
async def alice_and_bob(api: Api) -> AsyncIterator[tuple[Owner, Owner]]:
    owners = []
    for _ in range(2):
        user = await api.register()
        athlete = await api.athlete(user)
        bridge = await api.bridge(user, "phone")
        session = await api.session(user, athlete["id"], bridge["id"])
        devices = await api.call("GET", "/api/auth/devices", user)
        owners.append(Owner(user, athlete, bridge, session, devices.body["devices"][0]["id"]))
    yield owners[0], owners[1]


def foreign_requests(a: Owner, b: Owner) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every request naming one of A's resources, as B would send it."""
    athlete, bridge, session = a.athlete["id"], a.bridge["id"], a.session["id"]
    own_session = b.session["id"]
    return [
        ("GET", f"/api/athletes/{athlete}", None),
        ("PATCH", f"/api/athletes/{athlete}", {"weight_kg": 50}),
        ("POST", f"/api/athletes/{athlete}/ftp", {"ftp_w": 400}),
        ("POST", f"/api/athletes/{athlete}/power-thresholds", {"cp_w": 400}),
        ("POST", f"/api/athletes/{athlete}/hr-thresholds", {"threshold_hr": 150}),
        ("PUT", f"/api/athletes/{athlete}/time-zone", {"time_zone": "Asia/Tokyo"}),
        ("GET", f"/api/bridges/{bridge}", None),
        ("DELETE", f"/api/bridges/{bridge}", None),
        ("GET", f"/api/sessions/{session}", None),
        ("GET", f"/api/sessions/{session}/events", None),
        ("GET", f"/api/sessions/{session}/series", None),
        ("GET", f"/api/sessions/{session}/minutes", None),
        ("GET", f"/api/sessions/{session}/power-curve", None),
        ("GET", f"/api/sessions/{session}/zones", None),
        ("GET", f"/api/athletes/{athlete}/fitness", None),
        ("GET", f"/api/athletes/{athlete}/summaries", None),
        ("GET", f"/api/athletes/{athlete}/best-efforts", None),
        ("GET", f"/api/athletes/{athlete}/power-curve", None),
        ("GET", f"/api/athletes/{athlete}/zones", None),
        ("POST", f"/api/athletes/{athlete}/rides", None),
        ("POST", f"/api/sessions/{session}/pause", None),
        ("POST", f"/api/sessions/{session}/resume", None),
        ("POST", f"/api/sessions/{session}/laps", None),
        ("POST", f"/api/sessions/{session}/finish", None),
        ("POST", f"/api/sessions/{session}/discard", {"reason": "mine now"}),
        ("POST", f"/api/sessions/{session}/commands", {"kind": "target_power", "value": 999}),
        ("POST", f"/api/sessions/{session}/workout/resume", None),
        ("PUT", f"/api/sessions/{session}/workout/intensity", {"percent": 120}),
        ("POST", f"/api/sessions/{session}/transport", {"bridge_id": b.bridge["id"]}),
        ("POST", f"/api/sessions/{own_session}/transport", {"bridge_id": bridge}),
        ("DELETE", f"/api/auth/devices/{a.device_id}", None),
        ("POST", "/api/sessions", {"athlete_id": athlete, "bridge_id": b.bridge["id"]}),
        ("POST", "/api/sessions", {"athlete_id": b.athlete["id"], "bridge_id": bridge}),
    ]


async def test_every_request_for_another_users_resource_is_not_found(
    api: Api, alice_and_bob: tuple[Owner, Owner]
) -> None:
    alice, bob = alice_and_bob
    for method, path, body in foreign_requests(alice, bob):
        reply = await api.call(method, path, bob.user, json=body)
        assert (reply.status, reply.error_code) == (404, "not_found"), (method, path, reply.body)
    # And nothing of Alice's changed.
    session = await api.call("GET", f"/api/sessions/{alice.session['id']}", alice.user)
    assert session.body["status"] == "running"
    assert session.body["commands"]["issued"] == 0
    assert session.body["bridge_id"] == alice.bridge["client_id"]
    athlete = await api.call("GET", f"/api/athletes/{alice.athlete['id']}", alice.user)
    assert athlete.body == alice.athlete
    bridge = await api.call("GET", f"/api/bridges/{alice.bridge['id']}", alice.user)
    assert bridge.body["revoked_at"] is None
    devices = await api.call("GET", "/api/auth/devices", alice.user)
    assert [d["id"] for d in devices.body["devices"]] == [alice.device_id]
    sessions = await api.call("GET", "/api/sessions", alice.user)
    assert [s["id"] for s in sessions.body["sessions"]] == [alice.session["id"]]


async def test_a_ride_uploaded_for_another_users_athlete_is_not_found_and_not_stored(
    api: Api, alice_and_bob: tuple[Owner, Owner]
) -> None:
    alice, bob = alice_and_bob
    reply = await api.call(
        "POST",
        f"/api/athletes/{alice.athlete['id']}/rides",
        bob.user,
        data=RIDE_FILE.read_bytes(),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert (reply.status, reply.error_code) == (404, "not_found"), reply.body
    for owner in (alice, bob):
        sessions = await api.call("GET", "/api/sessions", owner.user)
        assert [s["id"] for s in sessions.body["sessions"]] == [owner.session["id"]]


async def test_lists_show_only_the_users_own_resources(
    api: Api, alice_and_bob: tuple[Owner, Owner]
) -> None:
    alice, bob = alice_and_bob
    for path, key, own_id in (
        ("/api/athletes", "athletes", bob.athlete["id"]),
        ("/api/bridges", "bridges", bob.bridge["id"]),
        ("/api/sessions", "sessions", bob.session["id"]),
        ("/api/auth/devices", "devices", bob.device_id),
    ):
        reply = await api.call("GET", path, bob.user)
        assert [item["id"] for item in reply.body[key]] == [own_id], path
    filtered = await api.call("GET", f"/api/sessions?athlete_id={alice.athlete['id']}", bob.user)
    assert filtered.body["sessions"] == []


async def test_the_tenancy_check_covers_every_route_that_names_a_resource(
    api: Api, alice_and_bob: tuple[Owner, Owner]
) -> None:
    alice, bob = alice_and_bob
    tried = {
        (method, _template(path, alice, bob)) for method, path, _ in foreign_requests(alice, bob)
    }
    # Pages and assets outside /api/ hold no user data (the pages fetch it from /api/).
    routes = {
        (route.method, route.resource.canonical)
        for route in api.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/")
        and "{" in route.resource.canonical
        and route.method != "HEAD"
    }
    assert routes <= tried


async def test_the_phone_gateway_refuses_another_users_bridge_with_4003(
    api: Api, alice_and_bob: tuple[Owner, Owner]
) -> None:
    alice, bob = alice_and_bob
    ws = await api.socket("/ws/bridge", bob.user, client_id=alice.bridge["client_id"])
    assert await closed_with(ws) == 4003


async def test_the_live_feed_refuses_another_users_session_with_4003(
    api: Api, alice_and_bob: tuple[Owner, Owner]
) -> None:
    alice, bob = alice_and_bob
    ws = await api.socket("/ws/live", bob.user)
    assert (await ws.receive_json(timeout=10))["type"] == "ready"
    await ws.send_json({"type": "subscribe", "session_id": alice.session["id"]})
    assert await closed_with(ws) == 4003


def _template(path: str, a: Owner, b: Owner) -> str:
    names = {
        a.athlete["id"]: "{athlete_id}",
        a.bridge["id"]: "{bridge_id}",
        a.session["id"]: "{session_id}",
        b.session["id"]: "{session_id}",
        a.device_id: "{device_id}",
    }
    return "/".join(names.get(part, part) for part in path.split("/"))
