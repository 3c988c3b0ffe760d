"""`/ws/bridge`: a phone sends bridge envelopes through the API and receives its commands."""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from api_harness import Api, User, closed_with, next_json, until
from pipeline_helpers import eventually, sample_envelope

from adapters.amqp import names
from wire.envelope import encode_envelope


async def _phone(api: Api) -> tuple[User, dict[str, Any], dict[str, Any]]:
    user = await api.register()
    athlete = await api.athlete(user)
    bridge = await api.bridge(user, "phone")
    return user, bridge, await api.session(user, athlete["id"], bridge["id"])


async def _connected(api: Api, user: User, client_id: str) -> aiohttp.ClientWebSocketResponse:
    ws = await api.socket("/ws/bridge", user, client_id=client_id)
    assert await next_json(ws) == {"type": "ready", "client_id": client_id}
    return ws


async def test_an_envelope_is_confirmed_after_the_broker_took_it_and_then_stored(
    api: Api, ingest_worker: None
) -> None:
    user, bridge, session = await _phone(api)
    ws = await _connected(api, user, bridge["client_id"])
    envelope = sample_envelope(bridge["client_id"], range(8))
    await ws.send_str(encode_envelope(envelope).decode())
    assert await next_json(ws) == {"type": "confirm", "correlation_id": envelope.correlation_id}

    async def stored() -> bool:
        reply = await api.call("GET", f"/api/sessions/{session['id']}", user)
        return bool(reply.body["sample_count"] == 8)

    await until(stored)
    await ws.close()


async def test_a_malformed_envelope_is_rejected_and_the_socket_stays_open(api: Api) -> None:
    user, bridge, _ = await _phone(api)
    ws = await _connected(api, user, bridge["client_id"])
    await ws.send_str('{"v": 1, "type": "samples", "correlation_id": "c-1"}')
    rejected = await next_json(ws)
    assert (rejected["type"], rejected["correlation_id"]) == ("rejected", "c-1")
    assert "client_id" in rejected["reason"]
    envelope = sample_envelope(bridge["client_id"], [0])
    await ws.send_str(encode_envelope(envelope).decode())
    assert (await next_json(ws))["type"] == "confirm"
    await ws.close()


async def test_an_envelope_in_the_name_of_another_client_closes_the_socket_with_4003(
    api: Api,
) -> None:
    user, bridge, _ = await _phone(api)
    own_other = await api.bridge(user, "phone")
    ws = await _connected(api, user, bridge["client_id"])
    await ws.send_str(encode_envelope(sample_envelope(own_other["client_id"], [0])).decode())
    assert await closed_with(ws) == 4003


async def test_an_unknown_client_id_is_refused_with_4003(api: Api) -> None:
    user = await api.register()
    for client_id in ("not-a-bridge", "00000000-0000-0000-0000-000000000000", 7):
        ws = await api.socket("/ws/bridge", user, client_id=client_id)
        assert await closed_with(ws) == 4003


async def test_the_phone_receives_the_commands_of_its_session(api: Api, relay: None) -> None:
    user, bridge, session = await _phone(api)
    ws = await _connected(api, user, bridge["client_id"])
    reply = await api.call(
        "POST",
        f"/api/sessions/{session['id']}/commands",
        user,
        json={"kind": "target_power", "value": 230},
    )
    command = await next_json(ws, within_s=20)
    assert command["type"] == "command"
    assert command["command_id"] == reply.body["command_id"]
    assert (command["kind"], command["value"]) == ("target_power", 230.0)
    await ws.close()


async def test_revoking_the_bridge_closes_its_socket_with_4003(api: Api) -> None:
    user, bridge, _ = await _phone(api)
    ws = await _connected(api, user, bridge["client_id"])
    assert (await api.call("DELETE", f"/api/bridges/{bridge['id']}", user)).status == 204
    assert await closed_with(ws) == 4003
    again = await api.socket("/ws/bridge", user, client_id=bridge["client_id"])
    assert await closed_with(again) == 4003


async def test_sample_envelopes_sent_together_reach_the_broker_as_one_and_each_is_confirmed(
    api: Api, channel: AbstractChannel
) -> None:
    user, bridge, _ = await _phone(api)
    client_id = bridge["client_id"]
    published: list[list[int]] = []  # the seqs of each envelope the broker received
    capture = await channel.declare_queue(exclusive=True, auto_delete=True)
    events = await channel.get_exchange(names.EVENTS_EXCHANGE, ensure=False)
    await capture.bind(events, routing_key=names.events_routing_key(client_id))

    async def on_message(message: AbstractIncomingMessage) -> None:
        published.append([sample["seq"] for sample in orjson.loads(message.body)["samples"]])

    await capture.consume(on_message, no_ack=True)
    ws = await _connected(api, user, client_id)
    envelopes = [sample_envelope(client_id, [seq]) for seq in range(6)]
    for envelope in envelopes:  # well within the 500 ms send interval
        await ws.send_str(encode_envelope(envelope).decode())
    confirmed = [(await next_json(ws))["correlation_id"] for _ in envelopes]
    assert confirmed == [envelope.correlation_id for envelope in envelopes]

    await eventually(lambda: sum(len(seqs) for seqs in published) == 6)
    assert [seq for seqs in published for seq in seqs] == list(range(6))
    assert len(published) < len(envelopes)
    await ws.close()
