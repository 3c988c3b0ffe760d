"""Bridges registered through the API: their own RabbitMQ accounts, exactly scoped, and
revocation that takes the account away."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import aiohttp
import pytest
from aiormq.exceptions import ChannelAccessRefused, ChannelClosed, ChannelNotFoundEntity
from api_harness import Api, until
from pipeline_helpers import sample_envelope

from adapters.amqp import names
from adapters.settings import Settings
from wire.envelope import encode_envelope

REFUSED = (ChannelAccessRefused, ChannelClosed, ChannelNotFoundEntity)


@pytest.fixture
async def registered(api: Api) -> AsyncIterator[tuple[Any, dict[str, Any]]]:
    user = await api.register()
    yield user, await api.bridge(user, "desktop")


async def _publish(url: str, exchange_name: str, routing_key: str, body: bytes = b"{}") -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = (
            await channel.get_exchange(exchange_name, ensure=False)
            if exchange_name
            else channel.default_exchange
        )
        await exchange.publish(aio_pika.Message(body), routing_key=routing_key)


async def _user_exists(settings: Settings, username: str) -> bool:
    auth = {"Authorization": aiohttp.encode_basic_auth("guest", "guest")}
    async with (
        aiohttp.ClientSession(headers=auth) as http,
        http.get(f"{settings.rabbitmq_management_url}/api/users/{username}") as response,
    ):
        return response.status == 200


async def test_registering_a_desktop_bridge_returns_its_broker_credentials_once(
    api: Api, settings: Settings
) -> None:
    user = await api.register()
    bridge = await api.bridge(user, "desktop")
    credentials = bridge["credentials"]
    assert credentials["routing_key"] == f"ble.events.{bridge['id']}"
    assert credentials["command_queue"] == f"ble.commands.{bridge['id']}"
    assert len(credentials["password"]) >= 24
    assert await _user_exists(settings, credentials["username"])
    shown = await api.call("GET", f"/api/bridges/{bridge['id']}", user)
    listed = await api.call("GET", "/api/bridges", user)
    assert "credentials" not in shown.body
    assert all("credentials" not in b for b in listed.body["bridges"])


async def test_a_phone_bridge_gets_no_broker_account(api: Api, settings: Settings) -> None:
    user = await api.register()
    bridge = await api.bridge(user, "phone")
    assert "credentials" not in bridge
    assert not await _user_exists(settings, f"bridge-{bridge['id']}")


async def test_a_bridge_publishes_its_own_samples_with_its_credentials(
    api: Api, registered: tuple[Any, dict[str, Any]], ingest_worker: None
) -> None:
    user, bridge = registered
    athlete = await api.athlete(user)
    session = await api.session(user, athlete["id"], bridge["id"])
    envelope = encode_envelope(sample_envelope(bridge["client_id"], range(10)))
    credentials = bridge["credentials"]
    await _publish(
        credentials["amqp_url"], names.EVENTS_EXCHANGE, credentials["routing_key"], envelope
    )

    async def ten_stored() -> bool:
        reply = await api.call("GET", f"/api/sessions/{session['id']}", user)
        return bool(reply.body["sample_count"] == 10)

    await until(ten_stored)


@pytest.mark.parametrize(
    ("exchange", "routing_key"),
    [
        (names.EVENTS_EXCHANGE, "ble.events.another-bridge"),
        ("", names.shard_queue(0)),
        (names.LIVE_EXCHANGE, "live.x.y.sample"),
        (names.COMMANDS_EXCHANGE, "another-bridge"),
    ],
    ids=["another-bridges-key", "default-exchange", "live-exchange", "commands-exchange"],
)
async def test_a_registered_bridge_is_refused_every_other_publish(
    registered: tuple[Any, dict[str, Any]], exchange: str, routing_key: str
) -> None:
    _, bridge = registered
    with pytest.raises(REFUSED) as refused:
        await _publish(bridge["credentials"]["amqp_url"], exchange, routing_key)
    assert "ACCESS_REFUSED" in str(refused.value)


async def test_a_registered_bridge_reads_its_own_command_queue_only(
    api: Api, registered: tuple[Any, dict[str, Any]]
) -> None:
    user, bridge = registered
    other = await api.bridge(user, "desktop")
    connection = await aio_pika.connect(bridge["credentials"]["amqp_url"])
    async with connection:
        channel = await connection.channel()
        own = await channel.get_queue(bridge["credentials"]["command_queue"], ensure=False)
        assert await own.get(fail=False) is None
        with pytest.raises(REFUSED) as refused:
            theirs = await channel.get_queue(other["credentials"]["command_queue"], ensure=False)
            await theirs.get(fail=False)
        assert "ACCESS_REFUSED" in str(refused.value)


async def test_a_registered_bridge_may_not_declare_anything(
    registered: tuple[Any, dict[str, Any]],
) -> None:
    _, bridge = registered
    connection = await aio_pika.connect(bridge["credentials"]["amqp_url"])
    async with connection:
        channel = await connection.channel()
        with pytest.raises(REFUSED) as refused:
            await channel.declare_queue("made-by-a-bridge", auto_delete=True)
        assert "ACCESS_REFUSED" in str(refused.value)


async def test_deleting_a_bridge_revokes_it_and_closes_its_broker_connection(
    api: Api, registered: tuple[Any, dict[str, Any]], settings: Settings
) -> None:
    user, bridge = registered
    connection = await aio_pika.connect(bridge["credentials"]["amqp_url"])
    closed = asyncio.Event()
    connection.close_callbacks.add(lambda *_: closed.set())
    try:
        assert (await api.call("DELETE", f"/api/bridges/{bridge['id']}", user)).status == 204
        await asyncio.wait_for(closed.wait(), 15)
    finally:
        await connection.close()
    assert not await _user_exists(settings, bridge["credentials"]["username"])
    with pytest.raises(aio_pika.exceptions.ProbableAuthenticationError):
        await aio_pika.connect(bridge["credentials"]["amqp_url"])
    shown = await api.call("GET", f"/api/bridges/{bridge['id']}", user)
    assert shown.body["revoked_at"] is not None
    assert (await api.call("GET", "/api/bridges", user)).body["bridges"] == []
    # Revoking again is harmless: the request can be repeated after a broker failure.
    assert (await api.call("DELETE", f"/api/bridges/{bridge['id']}", user)).status == 204


async def test_a_revoked_bridge_cannot_start_a_session(
    api: Api, registered: tuple[Any, dict[str, Any]]
) -> None:
    user, bridge = registered
    athlete = await api.athlete(user)
    await api.call("DELETE", f"/api/bridges/{bridge['id']}", user)
    reply = await api.call(
        "POST", "/api/sessions", user, json={"athlete_id": athlete["id"], "bridge_id": bridge["id"]}
    )
    assert reply.status == 409
    assert reply.error_code == "bridge_revoked"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": "x", "kind": "toaster"}, "kind"), ({"kind": "desktop"}, "name")],
)
async def test_an_invalid_registration_names_the_field(
    api: Api, body: dict[str, str], field: str
) -> None:
    user = await api.register()
    reply = await api.call("POST", "/api/bridges", user, json=body)
    assert reply.status == 422
    assert reply.body["error"]["field"] == field
