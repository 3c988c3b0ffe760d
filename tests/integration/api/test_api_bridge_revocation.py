"""Revoking a bridge takes its command queue away too, and a command issued afterwards
to the ride it was driving neither brings the queue back nor holds up the relay, even when
the revocation comes between the relay's look-up of the bridge and its declaring the queue."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, cast
from uuid import UUID

import pytest
from aio_pika.abc import AbstractChannel, AbstractQueue
from api_harness import Api, User
from broker_admin import queue_exists
from pipeline_helpers import live_items, live_queue, relay_from_now

from adapters.amqp import names
from adapters.eventstore import WattlogStore
from adapters.relay.relay import Relay
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


class RevokingBeforeDeclaring:
    """The relay's real channel, except that the first declaration of `queue` waits for
    `revoke` to complete: the revocation then falls after the relay has looked the bridge
    up (not revoked yet) and before it declares the bridge's command queue."""

    def __init__(
        self, channel: AbstractChannel, queue: str, revoke: Callable[[], Awaitable[None]]
    ) -> None:
        self._channel = channel
        self._queue = queue
        self._revoke: Callable[[], Awaitable[None]] | None = revoke
        self.revoked = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._channel, name)

    async def declare_queue(self, name: str, **kwargs: Any) -> AbstractQueue:
        if name == self._queue and self._revoke is not None:
            revoke, self._revoke = self._revoke, None
            await revoke()
            self.revoked = True
        kwargs.setdefault("robust", False)  # as the relay declares it on its robust channel
        return await self._channel.declare_queue(name, **kwargs)


@contextlib.asynccontextmanager
async def _relay_on(settings: Settings, channel: Any) -> AsyncIterator[None]:
    """A relay (as `wattlog relay` runs it) publishing through `channel`."""
    relay_from_now(settings)
    store = WattlogStore(settings)
    stop = asyncio.Event()
    task = asyncio.create_task(Relay(settings, store, cast(AbstractChannel, channel)).run(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        store.close()


async def test_a_revocation_between_the_relays_look_up_and_its_declaration_leaves_no_queue(
    api: Api, settings: Settings, channel: AbstractChannel
) -> None:
    user = await api.register()
    athlete = await api.athlete(user)
    bridge = await api.bridge(user, "desktop")
    session = await api.session(user, athlete["id"], bridge["id"])
    queue = names.command_queue(bridge["client_id"])
    live = await live_queue(channel, settings, UUID(user.id))
    relays_channel = RevokingBeforeDeclaring(channel, queue, lambda: _revoke(api, user, bridge))
    async with _relay_on(settings, relays_channel):
        await _command(api, user, session["id"], 200)  # the relay's first for this bridge
        await _command_seen_live(live, session["id"])
        assert relays_channel.revoked
        assert not await queue_exists(settings.amqp_vhost, queue)
        await _command(api, user, session["id"], 210)
        await _command_seen_live(live, session["id"])
        assert not await queue_exists(settings.amqp_vhost, queue)
