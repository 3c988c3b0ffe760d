"""Hostile input at the API's edge: characters the database refuses, broken multipart
headers, forged tokens and forwarded addresses, a registration that fails half-way.
Each is a clear 4xx (or a clean failure) that changes nothing."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import aiohttp
import jwt
import psycopg
import pytest
from api_harness import Api, ApiFactory, Reply, new_email

from adapters.amqp import names
from adapters.settings import Settings

NUL = "\u0000"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/auth/register", {"email": f"a{NUL}b@example.com", "password": "x" * 20}, "email"),
        ("/api/auth/login", {"email": f"a{NUL}b@example.com", "password": "x" * 20}, "email"),
        ("/api/athletes", {"name": f"Ri{NUL}der", "ftp_w": 250, "weight_kg": 70}, "name"),
        ("/api/bridges", {"name": f"trainer{NUL}", "kind": "desktop"}, "name"),
        ("/api/bridges", {"name": "trainer\x07bell", "kind": "phone"}, "name"),
    ],
)
async def test_a_control_character_in_a_text_field_is_refused_with_400_naming_the_field(
    api: Api, path: str, body: dict[str, Any], field: str
) -> None:
    user = await api.register()
    reply = await api.call("POST", path, user, json=body)
    assert reply.status == 400, reply.body
    assert reply.body["error"]["field"] == field
    assert "control character" in reply.body["error"]["message"]
    bridges = await api.call("GET", "/api/bridges", user)
    athletes = await api.call("GET", "/api/athletes", user)
    assert bridges.body["bridges"] == [] and athletes.body["athletes"] == []


async def test_a_nul_anywhere_in_a_json_body_is_refused_before_the_handler(api: Api) -> None:
    user = await api.register()
    athlete = await api.athlete(user)
    reply = await api.call(
        "POST",
        "/api/sessions",
        user,
        json={"athlete_id": athlete["id"], "bridge_id": str(uuid.uuid4()), "workout": {"x": NUL}},
    )
    assert reply.status == 400
    assert reply.body["error"]["field"] == "workout"


async def test_a_control_character_in_a_multipart_part_header_is_refused_with_400(
    api: Api,
) -> None:
    user = await api.register()
    athlete = await api.athlete(user)
    body = (
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="file"; filename="ri\x01de.fit"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
        b"not a fit file\r\n"
        b"--XyZ--\r\n"
    )
    reply = await api.call(
        "POST",
        f"/api/athletes/{athlete['id']}/rides",
        user,
        data=body,
        headers={"Content-Type": "multipart/form-data; boundary=XyZ"},
    )
    assert reply.status == 400, reply.body
    assert reply.error_code == "invalid_multipart"
    sessions = await api.call("GET", "/api/sessions", user)
    assert sessions.body["sessions"] == []


async def _management_get(settings: Settings, path: str) -> Any:
    auth = aiohttp.encode_basic_auth(
        settings.rabbitmq_management_user, settings.rabbitmq_management_password
    )
    async with (
        aiohttp.ClientSession(headers={"Authorization": auth}) as http,
        http.get(settings.rabbitmq_management_url.rstrip("/") + path) as response,
    ):
        assert response.status == 200
        return await response.json()


async def _command_queues(settings: Settings) -> set[str]:
    vhost = settings.amqp_vhost.replace("/", "%2F")
    queues = await _management_get(settings, f"/api/queues/{vhost}?columns=name")
    prefix = names.command_queue("")
    return {q["name"] for q in queues if q["name"].startswith(prefix)}


async def _bridge_users(settings: Settings) -> set[str]:
    """Bridge accounts with rights in this run's vhost (users are global: other runs have
    their own in their vhosts)."""
    vhost = settings.amqp_vhost.replace("/", "%2F")
    permissions = await _management_get(settings, f"/api/vhosts/{vhost}/permissions")
    return {p["user"] for p in permissions if p["user"].startswith("bridge-")}


REFUSED_NAME = "refused by the database"


@pytest.fixture
async def database_refusing_a_bridge_name(settings: Settings) -> Any:
    """A real failure after the broker steps: PostgreSQL refuses this bridge's lookup row."""
    async with await psycopg.AsyncConnection.connect(settings.database_url, autocommit=True) as db:
        await db.execute(
            "CREATE OR REPLACE FUNCTION refuse_bridge_name() RETURNS trigger AS $$"
            " BEGIN RAISE EXCEPTION 'refused for the test'; END $$ LANGUAGE plpgsql"
        )
        await db.execute(
            "CREATE TRIGGER refuse_bridge_name BEFORE INSERT ON user_bridges FOR EACH ROW"
            f" WHEN (NEW.name = '{REFUSED_NAME}') EXECUTE FUNCTION refuse_bridge_name()"
        )
        try:
            yield
        finally:
            await db.execute("DROP TRIGGER refuse_bridge_name ON user_bridges")
            await db.execute("DROP FUNCTION refuse_bridge_name()")


@pytest.mark.parametrize("kind", ["desktop", "phone"])
async def test_a_failed_bridge_registration_leaves_no_queue_and_no_broker_account(
    api: Api, settings: Settings, database_refusing_a_bridge_name: None, kind: str
) -> None:
    user = await api.register()
    queues_before, users_before = await _command_queues(settings), await _bridge_users(settings)
    for _ in range(3):
        reply = await api.call(
            "POST", "/api/bridges", user, json={"name": REFUSED_NAME, "kind": kind}
        )
        assert reply.status == 500
    assert await _command_queues(settings) == queues_before
    assert await _bridge_users(settings) == users_before
    assert (await api.call("GET", "/api/bridges", user)).body["bridges"] == []
    # The same user can still register a bridge, which gets its queue.
    bridge = await api.bridge(user, kind)
    assert await _command_queues(settings) == queues_before | {
        names.command_queue(bridge["client_id"])
    }


def _token(settings: Settings, user_id: str, *, iat: float, exp: float) -> str:
    claims = {"sub": user_id, "aud": settings.jwt_audience, "iat": iat, "exp": exp}
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


@pytest.mark.parametrize(
    ("iat_offset_s", "exp_offset_s"),
    [(0, 1e20), (0, 900 + 3600), (-60, 24 * 3600), (3600, 3600 + 900)],
    ids=["exp-1e20", "exp-beyond-ttl", "lifetime-longer-than-ttl", "issued-in-the-future"],
)
async def test_a_validly_signed_token_outside_the_configured_lifetime_is_refused(
    api: Api, settings: Settings, iat_offset_s: float, exp_offset_s: float
) -> None:
    user = await api.register()
    now = time.time()
    token = _token(settings, user.id, iat=int(now + iat_offset_s), exp=now + exp_offset_s)
    reply = await api.call("GET", "/api/me", headers={"Authorization": f"Bearer {token}"})
    assert reply.status == 401
    assert reply.error_code == "invalid_token"


async def test_a_token_within_the_configured_lifetime_is_accepted(
    api: Api, settings: Settings
) -> None:
    user = await api.register()
    now = int(time.time())
    token = _token(settings, user.id, iat=now - 1, exp=now + settings.access_token_ttl_s - 1)
    reply = await api.call("GET", "/api/me", headers={"Authorization": f"Bearer {token}"})
    assert reply.status == 200, reply.body


async def test_a_socket_from_the_same_host_with_another_scheme_is_refused(api: Api) -> None:
    host = api.client.server.host
    port = api.client.server.port
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await api.client.ws_connect("/ws/live", headers={"Origin": f"https://{host}:{port}"})
    assert refused.value.status == 403
    # The dashboard itself (same scheme, host and port) is let through.
    ws = await api.client.ws_connect("/ws/live", headers={"Origin": f"http://{host}:{port}"})
    await ws.close()


async def test_an_allowed_origin_with_another_scheme_is_refused(api_with: ApiFactory) -> None:
    async with api_with(ws_allowed_origins="https://dash.example") as api:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await api.client.ws_connect("/ws/live", headers={"Origin": "http://dash.example"})
        assert refused.value.status == 403
        ws = await api.client.ws_connect("/ws/live", headers={"Origin": "https://dash.example:443"})
        await ws.close()


def _failed_login(api: Api, forwarded_for: str) -> asyncio.Task[Reply]:
    return asyncio.ensure_future(
        api.call(
            "POST",
            "/api/auth/login",
            json={"email": new_email(), "password": "wrong-guess-123"},
            headers={"X-Forwarded-For": forwarded_for},
        )
    )


@pytest.fixture
async def loopback_throttle_cleared(settings: Settings) -> Any:
    """The test client's own address starts (and ends) with no failed logins counted."""

    async def clear() -> None:
        async with await psycopg.AsyncConnection.connect(
            settings.database_url, autocommit=True
        ) as db:
            await db.execute("DELETE FROM login_throttle WHERE key = 'ip:127.0.0.1'")

    await clear()
    yield
    await clear()


async def test_rotating_x_forwarded_for_from_an_untrusted_peer_does_not_escape_the_throttle(
    api_with: ApiFactory, loopback_throttle_cleared: None
) -> None:
    async with api_with(login_ip_free_attempts=5, login_max_delay_s=1, trusted_proxies="") as api:
        replies = await asyncio.gather(*(_failed_login(api, f"192.0.2.{i}") for i in range(12)))
        assert sorted(r.status for r in replies) == [401] * 5 + [429] * 7


async def test_x_forwarded_for_from_a_configured_proxy_names_the_client(
    api_with: ApiFactory,
) -> None:
    async with api_with(
        login_ip_free_attempts=5, login_max_delay_s=1, trusted_proxies="10.0.0.0/8, 127.0.0.1"
    ) as api:
        replies = await asyncio.gather(*(_failed_login(api, f"198.18.0.{i}") for i in range(12)))
        assert [r.status for r in replies] == [401] * 12
