"""`/ws/live`: a dashboard receives its own sessions' committed events, once each."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import aio_pika
import aiohttp
import psycopg
import pytest
from aio_pika.abc import AbstractChannel
from api_harness import Api, ApiFactory, User, closed_with, next_json
from pipeline_helpers import relay_from_now, running, sample_envelope

from adapters import live_message
from adapters.amqp import names
from adapters.relay import main as relay_main
from adapters.settings import Settings
from adapters.simulation.publisher import EnvelopePublisher


async def _watching(api: Api, user: User, session_id: str) -> aiohttp.ClientWebSocketResponse:
    ws = await api.socket("/ws/live", user)
    assert (await next_json(ws))["type"] == "ready"
    await ws.send_json({"type": "subscribe", "session_id": session_id})
    subscribed = await next_json(ws)
    assert (subscribed["type"], subscribed["session_id"]) == ("subscribed", session_id)
    return ws


async def _ride(api: Api) -> tuple[User, dict[str, Any], dict[str, Any]]:
    user = await api.register()
    athlete = await api.athlete(user)
    bridge = await api.bridge(user)
    return user, bridge, await api.session(user, athlete["id"], bridge["id"])


async def _live(ws: aiohttp.ClientWebSocketResponse, count: int) -> list[dict[str, Any]]:
    received = []
    while len(received) < count:
        message = await next_json(ws, within_s=20)
        if message["type"] == "live":
            received.append(message["data"])
    return received


async def test_a_dashboard_receives_the_samples_of_its_session(
    api: Api, publisher: EnvelopePublisher, ingest_worker: None, relay: None
) -> None:
    user, bridge, session = await _ride(api)
    ws = await _watching(api, user, session["id"])
    await publisher.publish(sample_envelope(bridge["client_id"], range(5)))
    samples: list[dict[str, Any]] = []
    while len(samples) < 5:  # the session's own status messages may come first
        samples += [m for m in await _live(ws, 1) if m["kind"] == "sample"]
    assert sorted(m["seq"] for m in samples) == list(range(5))
    assert {m["session_id"] for m in samples} == {session["id"]}
    await ws.close()


async def test_watchers_on_two_api_processes_each_receive_their_riders_samples(
    api: Api,
    api_with: ApiFactory,
    publisher: EnvelopePublisher,
    ingest_worker: None,
    relay: None,
) -> None:
    async with api_with() as second_api:
        first_user, first_bridge, first_session = await _ride(api)
        second_user, second_bridge, second_session = await _ride(api)
        first_ws = await _watching(api, first_user, first_session["id"])
        second_ws = await _watching(second_api, second_user, second_session["id"])
        await publisher.publish(sample_envelope(first_bridge["client_id"], range(3)))
        await publisher.publish(sample_envelope(second_bridge["client_id"], range(4)))
        for ws, session, count in ((first_ws, first_session, 3), (second_ws, second_session, 4)):
            samples = await _samples(ws, count)
            assert sorted(m["seq"] for m in samples) == list(range(count))
            assert {m["session_id"] for m in samples} == {session["id"]}
        await asyncio.gather(first_ws.close(), second_ws.close())


async def _samples(ws: aiohttp.ClientWebSocketResponse, count: int) -> list[dict[str, Any]]:
    samples: list[dict[str, Any]] = []
    while len(samples) < count:  # the session's own status messages may come first
        samples += [m for m in await _live(ws, 1) if m["kind"] == "sample"]
    return samples


async def _publish_live(
    channel: AbstractChannel, settings: Settings, items: list[tuple[UUID, dict[str, Any]]]
) -> None:
    """One live message per partition, as the relay publishes a batch."""
    builder = live_message.BatchBuilder(settings.live_partitions)
    for owner_id, data in items:
        builder.add(owner_id, data)
    exchange = await channel.get_exchange(names.LIVE_EXCHANGE, ensure=False)
    for key, body in builder.messages():
        await exchange.publish(aio_pika.Message(body), routing_key=key)


async def test_a_redelivered_live_message_reaches_the_dashboard_once(
    api: Api, channel: AbstractChannel, settings: Settings
) -> None:
    user, _, session = await _ride(api)
    ws = await _watching(api, user, session["id"])
    for n in (10**12, 10**12, 10**12 + 1):  # the relay repeating n after a crash
        body = {"n": n, "session_id": session["id"], "kind": "status", "event": f"E{n}"}
        await _publish_live(channel, settings, [(UUID(user.id), body)])
    received = await _live(ws, 2)
    assert [m["n"] for m in received] == [10**12, 10**12 + 1]
    await ws.close()


async def test_what_a_restarted_relay_publishes_again_reaches_the_dashboard_once(
    api: Api, publisher: EnvelopePublisher, settings: Settings, ingest_worker: None
) -> None:
    user, bridge, session = await _ride(api)
    ws = await _watching(api, user, session["id"])
    relay_from_now(settings)
    before = _relay_position(settings)
    async with running(relay_main.serve, settings):
        await publisher.publish(sample_envelope(bridge["client_id"], range(5)))
        first = await _samples(ws, 5)
    _rewind_relay(settings, before)  # as if it had died before recording its position
    async with running(relay_main.serve, settings):
        await publisher.publish(sample_envelope(bridge["client_id"], [5]))
        # The relay publishes in log order: seq 5 comes after the republished 0-4.
        later = await _samples(ws, 1)
        while later[-1]["seq"] != 5:
            later += await _samples(ws, 1)
    assert [m["seq"] for m in first] == list(range(5))
    assert [m["seq"] for m in later] == [5]
    await ws.close()


def _relay_position(settings: Settings) -> int:
    with psycopg.connect(settings.database_url) as conn:
        row = conn.execute("SELECT notification_id FROM relay_positions WHERE name = 'relay'")
        return int(row.fetchone()[0])  # type: ignore[index]


def _rewind_relay(settings: Settings, position: int) -> None:
    with psycopg.connect(settings.database_url) as conn:
        conn.execute(
            "UPDATE relay_positions SET notification_id = %s WHERE name = 'relay'", (position,)
        )


async def test_a_dashboard_never_receives_another_users_events(
    api: Api, channel: AbstractChannel, settings: Settings
) -> None:
    alice, _, alices_session = await _ride(api)
    bob, _, bobs_session = await _ride(api)
    bobs_socket = await _watching(api, bob, bobs_session["id"])
    alices_socket = await _watching(api, alice, alices_session["id"])
    # One message holding both users' items, on both users' partitions.
    body = live_message.encode(
        {
            user.id: [{"n": 2 * 10**12 + n, "session_id": s["id"], "kind": "status", "event": "X"}]
            for n, (user, s) in enumerate(((alice, alices_session), (bob, bobs_session)))
        }
    )
    exchange = await channel.get_exchange(names.LIVE_EXCHANGE, ensure=False)
    for user in (alice, bob):
        partition = live_message.partition_of(UUID(user.id), settings.live_partitions)
        key = live_message.routing_key(partition)
        await exchange.publish(aio_pika.Message(body), routing_key=key)
    assert [m["session_id"] for m in await _live(bobs_socket, 1)] == [bobs_session["id"]]
    assert [m["session_id"] for m in await _live(alices_socket, 1)] == [alices_session["id"]]
    await asyncio.gather(bobs_socket.close(), alices_socket.close())


async def test_a_ticket_works_once(api: Api) -> None:
    user = await api.register()
    ticket = await api.ticket(user)
    first = await api.client.ws_connect("/ws/live")
    await first.send_json({"type": "auth", "ticket": ticket})
    assert (await next_json(first))["type"] == "ready"
    second = await api.client.ws_connect("/ws/live")
    await second.send_json({"type": "auth", "ticket": ticket})
    assert await closed_with(second) == 4001
    await first.close()


@pytest.mark.parametrize(
    "first_message",
    [{"type": "subscribe", "session_id": "x"}, {"type": "auth", "ticket": "made-up"}, "hello"],
    ids=["no-auth", "unknown-ticket", "not-json"],
)
async def test_a_socket_without_a_valid_ticket_is_closed_with_4001(
    api: Api, first_message: object
) -> None:
    ws = await api.client.ws_connect("/ws/live")
    if isinstance(first_message, str):
        await ws.send_str(first_message)
    else:
        await ws.send_json(first_message)
    assert await closed_with(ws) == 4001


async def test_an_access_token_is_no_ticket(api: Api) -> None:
    user = await api.register()
    ws = await api.client.ws_connect("/ws/live")
    await ws.send_json({"type": "auth", "ticket": user.access_token})
    assert await closed_with(ws) == 4001


async def test_a_socket_from_a_foreign_origin_is_refused_before_the_upgrade(api: Api) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await api.client.ws_connect("/ws/live", headers={"Origin": "https://evil.example"})
    assert refused.value.status == 403


async def test_a_socket_from_an_allowed_origin_is_accepted(api_with: ApiFactory) -> None:
    async with api_with(ws_allowed_origins="https://dash.example, https://other.example") as api:
        user = await api.register()
        ws = await api.client.ws_connect("/ws/live", headers={"Origin": "https://dash.example"})
        await ws.send_json({"type": "auth", "ticket": await api.ticket(user)})
        assert (await next_json(ws))["type"] == "ready"
        await ws.close()


async def test_a_message_the_live_socket_does_not_understand_closes_it_with_4400(
    api: Api,
) -> None:
    user = await api.register()
    ws = await api.socket("/ws/live", user)
    assert (await next_json(ws))["type"] == "ready"
    await ws.send_json({"type": "dance"})
    assert await closed_with(ws) == 4400
