"""A ride moves from the desktop bridge (AMQP, its own account) to the phone (WebSocket
gateway) and back mid-session, with resends on both paths, and every sample is stored
exactly once.

How: each bridge is its own client with its own sequence numbers. Switching the session's
transport routes the new client to the session as well (the old client's route stays until
the session ends, so its late samples still land), commands follow the client driving the
ride, and the session ignores any (client, seq) it already holds.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from typing import Any

import aio_pika
import aiohttp
import orjson
from api_harness import Api, User, next_json, until
from pipeline_helpers import sample_envelope

from adapters.amqp import names
from adapters.eventstore import WattlogStore
from wire.envelope import encode_envelope

DESKTOP_SEQS = 100
PHONE_SEQS = 50


class DesktopBridge:
    """Publishes as the desktop bridge does, with the account the API created for it."""

    def __init__(self, credentials: dict[str, Any]) -> None:
        self._credentials = credentials
        self.client_id = credentials["routing_key"].removeprefix("ble.events.")

    async def send(self, seqs: range) -> None:
        connection = await aio_pika.connect(self._credentials["amqp_url"])
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(names.EVENTS_EXCHANGE, ensure=False)
            for start in range(seqs.start, seqs.stop, 5):
                envelope = sample_envelope(self.client_id, range(start, min(start + 5, seqs.stop)))
                await exchange.publish(
                    aio_pika.Message(
                        encode_envelope(envelope), delivery_mode=aio_pika.DeliveryMode.PERSISTENT
                    ),
                    routing_key=self._credentials["routing_key"],
                    mandatory=True,
                )

    async def next_command(self) -> str:
        connection = await aio_pika.connect(self._credentials["amqp_url"])
        async with connection:
            channel = await connection.channel()
            queue = await channel.get_queue(self._credentials["command_queue"], ensure=False)
            async with queue.iterator() as commands:
                async for message in commands:
                    await message.ack()
                    return str(orjson.loads(message.body)["command_id"])
        raise AssertionError("no command")


class Phone:
    """Sends through the gateway and waits for each confirm, as a phone's outbox does."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, client_id: str) -> None:
        self.ws = ws
        self.client_id = client_id
        self.commands: list[dict[str, Any]] = []

    async def send(self, seqs: range) -> None:
        for start in range(seqs.start, seqs.stop, 5):
            envelope = sample_envelope(self.client_id, range(start, min(start + 5, seqs.stop)))
            await self.ws.send_str(encode_envelope(envelope).decode())
            while True:
                reply = await next_json(self.ws)
                if reply["type"] == "command":
                    self.commands.append(reply)
                    continue
                assert reply == {"type": "confirm", "correlation_id": envelope.correlation_id}
                break


async def _switch(api: Api, user: User, session_id: str, bridge_id: str) -> dict[str, Any]:
    reply = await api.call(
        "POST", f"/api/sessions/{session_id}/transport", user, json={"bridge_id": bridge_id}
    )
    assert reply.status == 200, reply.body
    return dict(reply.body)


async def _command(api: Api, user: User, session_id: str, watts: int) -> str:
    reply = await api.call(
        "POST",
        f"/api/sessions/{session_id}/commands",
        user,
        json={"kind": "target_power", "value": watts},
    )
    assert reply.status == 202
    return str(reply.body["command_id"])


def _stored_samples(store: WattlogStore, session_id: str) -> Counter[tuple[str, int]]:
    from uuid import UUID

    return Counter(
        (event.client_id, event.seq)
        for event in store.events.get(UUID(session_id))
        if type(event).__name__ == "SampleRecorded"
    )


async def test_a_ride_moves_from_desktop_to_phone_and_back_storing_every_sample_once(
    api: Api, store: WattlogStore, ingest_worker: None, relay: None
) -> None:
    user = await api.register()
    athlete = await api.athlete(user)
    desktop_bridge = await api.bridge(user, "desktop")
    phone_bridge = await api.bridge(user, "phone")
    session = await api.session(user, athlete["id"], desktop_bridge["id"])
    session_id = session["id"]
    desktop = DesktopBridge(desktop_bridge["credentials"])

    # On the desktop: the first 40 notifications, then 30..49 again (an unconfirmed batch
    # resent after a reconnect).
    await desktop.send(range(0, 40))
    await desktop.send(range(30, 50))

    # Continue on the phone.
    switched = await _switch(api, user, session_id, phone_bridge["id"])
    assert (switched["transport"], switched["bridge_id"]) == ("phone", phone_bridge["client_id"])
    ws = await api.socket("/ws/bridge", user, client_id=phone_bridge["client_id"])
    assert (await next_json(ws))["type"] == "ready"
    phone = Phone(ws, phone_bridge["client_id"])
    await phone.send(range(0, 30))
    # The desktop's outbox still flushes a few late samples: they belong to the ride too.
    await desktop.send(range(50, 55))
    command_on_phone = await _command(api, user, session_id, 220)
    await phone.send(range(20, PHONE_SEQS))  # 20..29 resent: their confirms were lost

    # Back to the desktop for the rest of the ride.
    back = await _switch(api, user, session_id, desktop_bridge["id"])
    assert (back["transport"], back["bridge_id"]) == ("desktop", desktop_bridge["client_id"])
    await desktop.send(range(55, DESKTOP_SEQS))
    await phone.send(range(40, PHONE_SEQS))  # the phone's outbox flushing late, again

    expected = {(desktop.client_id, seq) for seq in range(DESKTOP_SEQS)} | {
        (phone.client_id, seq) for seq in range(PHONE_SEQS)
    }

    async def all_stored() -> bool:
        reply = await api.call("GET", f"/api/sessions/{session_id}", user)
        return bool(reply.body["sample_count"] >= len(expected))

    await until(all_stored, within_s=60)
    await asyncio.sleep(1.0)  # anything still in flight would land now
    stored = await asyncio.get_running_loop().run_in_executor(
        None, _stored_samples, store, session_id
    )
    assert set(stored) == expected
    assert max(stored.values()) == 1
    shown = await api.call("GET", f"/api/sessions/{session_id}", user)
    assert shown.body["sample_count"] == len(expected)
    assert shown.body["client_ids"] == [desktop.client_id, phone.client_id]

    # Commands follow the client driving the ride: the phone's while it drove, then the
    # desktop's again.
    async def phone_got_command() -> bool:
        if not phone.commands:
            with contextlib.suppress(TimeoutError):
                message = await ws.receive(timeout=0.5)
                if message.type == aiohttp.WSMsgType.TEXT:
                    phone.commands.append(message.json())
        return any(c.get("command_id") == command_on_phone for c in phone.commands)

    await until(phone_got_command, within_s=20)
    await ws.close()
    command_on_desktop = await _command(api, user, session_id, 240)
    assert await asyncio.wait_for(desktop.next_command(), 20) == command_on_desktop
