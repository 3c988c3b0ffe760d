"""The API process's single consumer of `wattlog.live`, fanning out to its dashboards.

One exclusive, auto-delete queue per API process, bound with `live.<user id>.#` while that
user has a live socket here, so the broker sends each process only what its users watch.
The queue holds at most `QUEUE_MAX_LENGTH` messages for at most `QUEUE_TTL_MS`, dropping
the oldest first: live values nobody could deliver in time are worthless, and nothing
piles up in the broker. Messages are consumed without acknowledgement and handed to each
watcher's `LatestBuffer`, so a slow socket never slows the consumer or other sockets.
The relay can publish an event twice (after a crash); the notification id `n` in each
message drops the second copy.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Hashable
from typing import Any
from uuid import UUID

import orjson
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)

from adapters.amqp import names
from adapters.api.ws.latest import LatestBuffer
from adapters.api.ws.recent import RecentIds

log = logging.getLogger(__name__)

QUEUE_TTL_MS = 10_000
QUEUE_MAX_LENGTH = 10_000
RECENT_IDS = 100_000


def message_key(data: dict[str, Any]) -> Hashable:
    """What a newer message replaces in a slow socket's buffer."""
    kind = data.get("kind")
    if kind == "sample":
        return (data.get("session_id"), kind, data.get("sensor"), data.get("char"))
    if kind == "command":
        return (data.get("session_id"), kind, data.get("command_id"))
    return (data.get("session_id"), kind, data.get("event"), data.get("command_id"))


class LiveWatcher:
    """One dashboard socket: the sessions it watches and its outbox."""

    def __init__(self, user_id: UUID) -> None:
        self.user_id = user_id
        self.sessions: set[str] = set()
        self.buffer = LatestBuffer()

    def offer(self, data: dict[str, Any], body: bytes) -> None:
        if data.get("session_id") in self.sessions:
            self.buffer.put(message_key(data), b'{"type":"live","data":' + body + b"}")


class LiveHub:
    def __init__(self, connection: AbstractRobustConnection) -> None:
        self._connection = connection
        self._queue_name = f"wattlog.live.api-{uuid.uuid4().hex[:12]}"
        self._watchers: dict[UUID, set[LiveWatcher]] = {}
        self._lock = asyncio.Lock()
        self._recent = RecentIds(RECENT_IDS)
        self._channel: AbstractChannel | None = None
        self._queue: AbstractQueue | None = None
        self._exchange: AbstractExchange | None = None
        self.delivered = 0
        self.duplicates = 0

    async def start(self) -> None:
        self._channel = await self._connection.channel()
        self._exchange = await self._channel.get_exchange(names.LIVE_EXCHANGE, ensure=False)
        self._queue = await self._channel.declare_queue(
            self._queue_name,
            exclusive=True,
            auto_delete=True,
            arguments={
                "x-message-ttl": QUEUE_TTL_MS,
                "x-max-length": QUEUE_MAX_LENGTH,
                "x-overflow": "drop-head",
            },
        )
        await self._queue.consume(self._on_message, no_ack=True)

    async def stop(self) -> None:
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()

    @property
    def watchers(self) -> int:
        return sum(len(watchers) for watchers in self._watchers.values())

    async def join(self, watcher: LiveWatcher) -> None:
        async with self._lock:
            watchers = self._watchers.setdefault(watcher.user_id, set())
            if not watchers:
                await self._bound().bind(self._live_exchange(), _binding(watcher.user_id))
            watchers.add(watcher)

    async def leave(self, watcher: LiveWatcher) -> None:
        async with self._lock:
            watchers = self._watchers.get(watcher.user_id, set())
            watchers.discard(watcher)
            if watchers:
                return
            self._watchers.pop(watcher.user_id, None)
            if self._channel is not None and not self._channel.is_closed:
                await self._bound().unbind(self._live_exchange(), _binding(watcher.user_id))

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        parts = (message.routing_key or "").split(".")
        try:
            owner_id = UUID(parts[1])
            data = orjson.loads(message.body)
        except (IndexError, ValueError):
            log.warning("live message ignored", extra={"routing_key": message.routing_key})
            return
        if not isinstance(data, dict):
            return
        n = data.get("n")
        if n is not None and not self._recent.first_time(n):
            self.duplicates += 1
            return
        for watcher in self._watchers.get(owner_id, ()):
            watcher.offer(data, message.body)
        self.delivered += 1

    def _bound(self) -> AbstractQueue:
        if self._queue is None:
            raise RuntimeError("the live hub is not started")
        return self._queue

    def _live_exchange(self) -> AbstractExchange:
        if self._exchange is None:
            raise RuntimeError("the live hub is not started")
        return self._exchange


def _binding(user_id: UUID) -> str:
    return f"live.{user_id}.#"
