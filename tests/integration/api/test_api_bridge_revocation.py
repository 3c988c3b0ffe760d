"""Revoking a bridge takes its command queue away too, and a command issued afterwards
to the ride it was driving neither brings the queue back nor holds up the relay."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import pytest
from aio_pika.abc import AbstractChannel, AbstractQueue
from api_harness import Api, User
from broker_admin import queue_exists
from pipeline_helpers import live_items, live_queue

from adapters.amqp import names
from adapters.settings import Settings


async def _revoke(api: Api, user: User, bridge: dict[str, Any]) -> None:
    reply = await api.call("DELETE", f"/api/bridges/{bridge['id']}", user)
    assert reply.status == 204, reply.body


@pytest.mark.parametrize("kind", ["desktop", "phone"])
async def test_revoking_a_bridge_deletes_its_command_queue(
    api: Api, settings: Settings, kind: str
) -> None:
    user = await api.register()
    bridge = await api.bridge(user, kind)
    queue = names.command_queue(bridge["client_id"])
    assert await queue_exists(settings.amqp_vhost, queue)
    await _revoke(api, user, bridge)
    assert not await queue_exists(settings.amqp_vhost, queue)
    # The queue already gone, revoking again still succeeds (a failed revoke is repeated).
    await _revoke(api, user, bridge)
    assert not await queue_exists(settings.amqp_vhost, queue)


async def _command_seen_live(live: AbstractQueue, session_id: str, within_s: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + within_s
    while asyncio.get_running_loop().time() < deadline:
        message = await live.get(fail=False, no_ack=True)
        if message is None:
            await asyncio.sleep(0.02)
        elif live_items(message.body, UUID(session_id), "command"):
            return
    raise AssertionError("the relay published no live item for the command")


async def _command(api: Api, user: User, session_id: str, watts: int) -> None:
    reply = await api.call(
        "POST",
        f"/api/sessions/{session_id}/commands",
        user,
        json={"kind": "target_power", "value": watts},
    )
    assert reply.status == 202, reply.body


@pytest.mark.parametrize("commanded_before", [False, True], ids=["fresh", "queue-known"])
async def test_a_command_to_a_revoked_bridges_ride_does_not_bring_its_queue_back(
    api: Api,
    settings: Settings,
    channel: AbstractChannel,
    relay: None,
    caplog: pytest.LogCaptureFixture,
    commanded_before: bool,
) -> None:
    user = await api.register()
    athlete = await api.athlete(user)
    bridge = await api.bridge(user, "desktop")
    session = await api.session(user, athlete["id"], bridge["id"])
    live = await live_queue(channel, settings, UUID(user.id))
    if commanded_before:  # the relay has published to the queue: it knows it exists
        await _command(api, user, session["id"], 200)
        await _command_seen_live(live, session["id"])
    await _revoke(api, user, bridge)
    for watts in (210, 220):
        await _command(api, user, session["id"], watts)
        await _command_seen_live(live, session["id"])
    assert not await queue_exists(settings.amqp_vhost, names.command_queue(bridge["client_id"]))
    # Dropped, not retried: a returned publish would have interrupted the relay.
    assert not [r for r in caplog.records if r.getMessage().startswith("relay interrupted")]
