"""The ingest worker's subscriptions to the shard queues, made with aiormq directly on the
robust channel's current underlying channel.

Why below aio-pika: `Queue.consume` wraps every delivery in an `IncomingMessage` and runs
the callback in a task of its own, which costs about 30 us of CPU per message more than
aiormq's own delivery (docs/benchmarks.md, "Third pass"). The price is recovery:
aio-pika re-consumes after a reconnect only what was consumed through it. So this class
keeps its subscriptions itself: when the robust channel reopens (after a lost connection or
channel), and at every `ensure()` (the worker calls it every second), each wanted shard
without a consumer on the current channel is subscribed again. That also covers a consumer
the broker cancelled (its queue deleted, then declared again).

Before subscribing, the queue is declared passively on a short-lived probe channel: a
missing queue closes that channel, not the one the deliveries and their acks are on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import aiormq
from aio_pika.abc import AbstractRobustChannel
from aiormq.abc import DeliveredMessage

from adapters.amqp import names
from adapters.amqp.connection import BROKER_AWAY

log = logging.getLogger(__name__)

UNDERLAY_WAIT_S = 0.5  # while reconnecting, a check gives up rather than wait
PROBE_TIMEOUT_S = 5.0


class ShardSubscriptions:
    def __init__(
        self,
        channel: AbstractRobustChannel,
        on_delivery: Callable[[DeliveredMessage], Coroutine[Any, Any, None]],
    ) -> None:
        self._channel = channel
        self._on_delivery = on_delivery
        self._wanted: set[int] = set()
        self._tags: dict[int, str] = {}  # shard -> consumer tag, on whichever channel it was
        self._lock = asyncio.Lock()
        channel.reopen_callbacks.add(self._on_reopen)

    @property
    def wanted(self) -> int:
        return len(self._wanted)

    async def add(self, shard: int) -> None:
        self._wanted.add(shard)
        await self.ensure()

    async def consumer_count(self, shard: int) -> int | None:
        """How many consumers the shard queue has (None while the broker cannot be asked)."""
        underlay = await self._underlay()
        counts = None if underlay is None else await _probe(underlay, [shard])
        return None if counts is None else counts.get(shard)

    async def active(self) -> int:
        """How many wanted shards this worker consumes on its current channel."""
        underlay = await self._underlay()
        if underlay is None:
            return 0
        return sum(1 for shard in self._wanted if self._tags.get(shard) in underlay.consumers)

    async def ensure(self) -> None:
        """Subscribes every wanted shard that has no consumer on the current channel. While
        the broker is away this does nothing: the next call tries again."""
        async with self._lock:
            underlay = await self._underlay()
            if underlay is None:
                return
            missing = sorted(s for s in self._wanted if self._tags.get(s) not in underlay.consumers)
            if not missing:
                return
            present = await _probe(underlay, missing)
            if present is None:
                return  # the broker is away: next time
            for shard in missing:
                if shard not in present:
                    continue  # the queue is missing: next time
                try:
                    ok = await underlay.basic_consume(
                        names.shard_queue(shard), self._on_delivery, no_ack=False
                    )
                except BROKER_AWAY as error:
                    extra = {"shard": shard, "error": repr(error)}
                    log.info("shard not subscribed yet", extra=extra)
                    return
                if ok.consumer_tag is not None:
                    self._tags[shard] = ok.consumer_tag
                log.info("shard subscribed", extra={"shard": shard})

    async def _on_reopen(self, channel: object) -> None:
        del channel
        await self.ensure()

    async def _underlay(self) -> aiormq.Channel | None:
        if self._channel.is_closed:
            return None
        try:
            underlay = await asyncio.wait_for(self._channel.get_underlay_channel(), UNDERLAY_WAIT_S)
        except BROKER_AWAY:  # reconnecting, or no channel yet
            return None
        if not isinstance(underlay, aiormq.Channel) or underlay.is_closed:
            return None
        return underlay


async def _probe(underlay: aiormq.Channel, shards: list[int]) -> dict[int, int] | None:
    """The consumer counts of those shard queues that exist (None: the broker is away)."""
    counts: dict[int, int] = {}
    for shard in shards:
        try:
            counts[shard] = await _consumer_count(underlay.connection, shard)
        except aiormq.exceptions.ChannelNotFoundEntity:
            log.warning("shard queue missing", extra={"shard": shard})
        except BROKER_AWAY:
            return None
    return counts


async def _consumer_count(connection: aiormq.abc.AbstractConnection, shard: int) -> int:
    probe = await connection.channel(publisher_confirms=False, timeout=PROBE_TIMEOUT_S)
    try:
        ok = await probe.queue_declare(names.shard_queue(shard), passive=True)
        return ok.consumer_count or 0
    finally:
        if not probe.is_closed:  # a missing queue has closed it
            await probe.close()
