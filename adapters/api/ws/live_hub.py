"""The API process's single consumer of `wattlog.live`, fanning out to its dashboards.

One exclusive, auto-delete queue per API process, bound with `live.<partition>` for each
live partition (`adapters.live_message.partition_of`) that holds a user with a live socket
here: the broker sends each process only the partitions its users are in, one message per
partition per batch, and the hub hands each watcher the items of its own sessions.
The queue holds at most `QUEUE_MAX_LENGTH` messages for at most `QUEUE_TTL_MS`, dropping
the oldest first: live values nobody could deliver in time are worthless, and nothing
piles up in the broker. Messages are consumed without acknowledgement and handed to each
watcher's `LatestBuffer`, so a slow socket never slows the consumer or other sockets.
The ingest worker and the relay can publish an item twice (after a crash);
`live_message.dedup_key` drops the second copy.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from typing import Any
from uuid import UUID

from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)

from adapters import live_message
from adapters.amqp import names
from adapters.api.ws.latest import LatestBuffer
from adapters.api.ws.recent import RecentIds

log = logging.getLogger(__name__)

QUEUE_TTL_MS = 10_000
QUEUE_MAX_LENGTH = 10_000
RECENT_IDS = 100_000


class LiveWatcher:
    """One dashboard socket: the sessions it watches and its outbox."""

    def __init__(self, user_id: UUID) -> None:
        self.user_id = user_id
        self.sessions: set[str] = set()
        self.buffer = LatestBuffer()

    def offer(self, data: dict[str, Any]) -> None:
        if data.get("session_id") in self.sessions:
            self.buffer.put(live_message.replace_key(data), live_message.frame(data))


class LiveHub:
    def __init__(self, connection: AbstractRobustConnection, partitions: int) -> None:
        self._connection = connection
        self._partitions = partitions
        self._queue_name = f"wattlog.live.api-{uuid.uuid4().hex[:12]}"
        self._watchers: dict[str, set[LiveWatcher]] = {}  # by user id
        self._bound_users: Counter[int] = Counter()  # users watched here, per partition
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
            watchers = self._watchers.setdefault(str(watcher.user_id), set())
            if not watchers:
                partition = live_message.partition_of(watcher.user_id, self._partitions)
                if not self._bound_users[partition]:
                    await self._bound().bind(
                        self._live_exchange(), live_message.routing_key(partition)
                    )
                self._bound_users[partition] += 1
            watchers.add(watcher)

    async def leave(self, watcher: LiveWatcher) -> None:
        async with self._lock:
            watchers = self._watchers.get(str(watcher.user_id))
            if watchers is None:
                return  # never joined
            watchers.discard(watcher)
            if watchers:
                return
            self._watchers.pop(str(watcher.user_id), None)
            partition = live_message.partition_of(watcher.user_id, self._partitions)
            self._bound_users[partition] -= 1
            if self._bound_users[partition] > 0:
                return
            del self._bound_users[partition]
            if self._channel is not None and not self._channel.is_closed:
                await self._bound().unbind(
                    self._live_exchange(), live_message.routing_key(partition)
                )

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            batch = live_message.decode(message.body)
        except live_message.LiveMessageError as error:
            log.warning(
                "live message ignored",
                extra={"routing_key": message.routing_key, "error": str(error)},
            )
            return
        for owner_id, data in batch.items_for(self._watchers):
            key = live_message.dedup_key(data)
            if key is not None and not self._recent.first_time(key):
                self.duplicates += 1
                continue
            for watcher in self._watchers.get(owner_id, ()):
                watcher.offer(data)
            self.delivered += 1

    def _bound(self) -> AbstractQueue:
        if self._queue is None:
            raise RuntimeError("the live hub is not started")
        return self._queue

    def _live_exchange(self) -> AbstractExchange:
        if self._exchange is None:
            raise RuntimeError("the live hub is not started")
        return self._exchange
