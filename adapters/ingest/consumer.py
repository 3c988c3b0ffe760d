"""Consumes the shard queues, groups messages into batches, writes each batch in one
transaction and acknowledges its messages only after the commit.

Every shard queue has a single active consumer: each worker subscribes to all shards and
the broker lets one of them consume each shard, so one bridge's messages are handled in
order by one worker, and when that worker dies its shards move to another.

The subscriptions are aiormq's own, below aio-pika (`adapters.ingest.subscriptions`, which
also renews them after a lost connection or channel). Delivery tags belong to a channel:
messages still waiting here from a channel that has closed are dropped (the broker has
already put them back in their queue) and never acknowledged on its successor. Every
message is settled exactly once, by one cumulative ack per channel per batch, dead-lettered
ones included (docs/amqp-topology.md).

Between the commit and the ack, the batch's samples go live: one `wattlog.live` message
per live partition (`adapters.live_message`), confirmed before the ack, so a crash in
between redelivers the envelopes and the samples go live again (readers drop repeats).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from aio_pika.abc import AbstractRobustChannel
from aiormq.abc import DeliveredMessage
from eventsourcing import persistence

from adapters import live_message
from adapters.amqp import names
from adapters.amqp.connection import BROKER_AWAY
from adapters.amqp.publish import publish
from adapters.ingest.subscriptions import ShardSubscriptions
from adapters.ingest.writer import EnvelopeRefused, SessionWriter, WriteResult
from adapters.logs import correlation
from adapters.settings import Settings
from wire.envelope import Envelope, EnvelopeError, client_id_from_routing_key, parse_envelope

log = logging.getLogger(__name__)

DATABASE_AWAY = (
    psycopg.OperationalError,
    persistence.OperationalError,
    persistence.InterfaceError,
)
UNROUTED_LOG_INTERVAL_S = 60.0
STATS_LOG_INTERVAL_S = 10.0
RETRY_DELAY_S = 1.0
MAX_RETRY_DELAY_S = 10.0
CONSUMER_CHECK_INTERVAL_S = 1.0
STANDBY_WAIT_S = 10.0  # for another worker to take its own shards before this one may


@dataclass
class BatchTimings:
    """Where one batch's time went, in seconds (the slowest batch of each stats interval is
    logged: a stall shows which step it was in)."""

    write: float = 0.0  # in the database thread: sessions, events, the append
    save: float = 0.0  # of which the append transaction, commit included
    live: float = 0.0  # publishing the samples live, confirms included
    settle: float = 0.0  # the acks

    @property
    def total(self) -> float:
        return self.write + self.live + self.settle

    def as_ms(self) -> dict[str, float]:
        return {
            name: round(getattr(self, name) * 1000, 1)
            for name in ("write", "save", "live", "settle")
        }


@dataclass
class IngestStats:
    messages: int = 0
    stored: int = 0
    duplicates: int = 0
    unrouted: int = 0
    dead_lettered: int = 0
    batches: int = 0
    busy_s: float = 0.0  # time spent handling batches, as opposed to waiting for messages
    stale_dropped: int = 0  # messages of a lost channel, dropped (the broker redelivers them)
    consumers: int = 0  # shard queues this worker is subscribed to right now
    live_items: int = 0  # samples sent to the live feed
    live_failures: int = 0  # live messages the broker did not take (the samples are stored)

    def add(self, result: WriteResult) -> None:
        self.stored += result.stored
        self.duplicates += result.duplicates
        self.unrouted += result.unrouted


def _delivery_tag(message: DeliveredMessage) -> int:
    return message.delivery_tag or 0


def _routing_key(message: DeliveredMessage) -> str:
    return message.routing_key or ""


def _from_open_channel(message: DeliveredMessage) -> bool:
    return not message.channel.is_closed


def own_shards(settings: Settings) -> set[int]:
    """The shards this worker subscribes to first: with `WATTLOG_INGEST_WORKERS` = W and
    `WATTLOG_INGEST_WORKER_INDEX` = i, shards i, i + W, ... A shard's single active consumer
    is its first subscriber, so workers started together share the shards out this way."""
    workers, index = settings.ingest_workers, settings.ingest_worker_index
    return {shard for shard in range(settings.ingest_shards) if shard % workers == index}


class IngestConsumer:
    def __init__(
        self,
        settings: Settings,
        channel: AbstractRobustChannel,
        writer: SessionWriter,
    ) -> None:
        self._settings = settings
        self._channel = channel
        self._writer = writer
        self._inbox: asyncio.Queue[DeliveredMessage] = asyncio.Queue()
        self._subscriptions = ShardSubscriptions(channel, self._deliver)
        self.stats = IngestStats()
        self._unrouted_reported = 0
        self._unrouted_logged_at = time.monotonic()
        self._slowest = BatchTimings()  # of the current stats interval
        self._requeued: set[int] = set()  # ids of this batch's messages handed back unsettled

    async def _deliver(self, message: DeliveredMessage) -> None:
        self._inbox.put_nowait(message)

    async def start(self) -> None:
        """Subscribes to this worker's own shards; `run` adds the others, as a standby."""
        for index in own_shards(self._settings):
            await self._subscriptions.add(index)
        self.stats.consumers = await self._subscriptions.active()

    async def _stand_by(self) -> None:
        """Subscribes to the other workers' shards once each has a consumer (its own worker's,
        which the broker then keeps active), or after `STANDBY_WAIT_S` without one."""
        for index in sorted(set(range(self._settings.ingest_shards)) - own_shards(self._settings)):
            deadline = time.monotonic() + STANDBY_WAIT_S
            while True:
                consumers = await self._subscriptions.consumer_count(index)
                if consumers or time.monotonic() > deadline:
                    await self._subscriptions.add(index)
                    break
                await asyncio.sleep(CONSUMER_CHECK_INTERVAL_S)

    async def run(self) -> None:
        watcher = asyncio.create_task(self._watch_consumers())
        standby = asyncio.create_task(self._stand_by())
        try:
            await self._run()
        finally:
            watcher.cancel()
            standby.cancel()

    async def _watch_consumers(self) -> None:
        """Renews lost subscriptions, and logs when this worker stops consuming some shard and
        when it consumes them all again."""
        while True:
            await asyncio.sleep(CONSUMER_CHECK_INTERVAL_S)
            await self._subscriptions.ensure()
            count = await self._subscriptions.active()
            if count == self.stats.consumers:
                continue
            self.stats.consumers = count
            if count < self._subscriptions.wanted:
                log.warning(
                    "ingest is not consuming every shard",
                    extra={"consumers": count, "shards": self._subscriptions.wanted},
                )
            else:
                log.info("ingest consuming every shard again", extra={"consumers": count})

    async def _run(self) -> None:
        reported_at, reported = time.monotonic(), IngestStats()
        while True:
            batch = await self._next_batch()
            started = time.monotonic()
            await self.handle(batch)
            self.stats.busy_s += time.monotonic() - started
            if started - reported_at >= STATS_LOG_INTERVAL_S:
                self._log_stats(reported, started - reported_at)
                reported_at, reported = started, dataclasses.replace(self.stats)

    def _log_stats(self, before: IngestStats, elapsed_s: float) -> None:
        batches = self.stats.batches - before.batches
        log.info(
            "ingest progress",
            extra={
                "messages_per_s": round((self.stats.messages - before.messages) / elapsed_s),
                "stored_per_s": round((self.stats.stored - before.stored) / elapsed_s),
                "mean_batch": round((self.stats.messages - before.messages) / max(batches, 1)),
                "busy_share": round((self.stats.busy_s - before.busy_s) / elapsed_s, 2),
                "consumers": self.stats.consumers,
                "dead_lettered": self.stats.dead_lettered,
                "stale_dropped": self.stats.stale_dropped,
                "slowest_batch_ms": self._slowest.as_ms(),
            },
        )
        self._slowest = BatchTimings()

    async def _next_batch(self) -> list[DeliveredMessage]:
        batch = [await self._inbox.get()]
        deadline = time.monotonic() + self._settings.ingest_batch_wait_ms / 1000
        while len(batch) < self._settings.ingest_batch_max:
            if not self._inbox.empty():  # arrived already: no timer and task per message
                batch.append(self._inbox.get_nowait())
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(self._inbox.get(), remaining))
            except TimeoutError:
                break
        return batch

    async def handle(self, messages: list[DeliveredMessage]) -> None:
        """One batch: stores what it can, dead-letters the rest, settles every message once."""
        self.stats.messages += len(messages)
        self.stats.batches += 1
        self._requeued.clear()
        messages = self._drop_stale(messages)
        envelopes: list[Envelope] = []
        accepted: list[DeliveredMessage] = []
        for message in messages:
            try:
                client_id = client_id_from_routing_key(_routing_key(message))
                envelopes.append(parse_envelope(message.body, expected_client_id=client_id))
                accepted.append(message)
            except EnvelopeError as error:
                await self._dead_letter(message, str(error))
        timings = BatchTimings()
        if envelopes:
            started = time.monotonic()
            live, timings.save = await self._store(accepted, envelopes)
            stored = time.monotonic()
            await self._publish_live(live)
            timings.write, timings.live = stored - started, time.monotonic() - stored
        settling = time.monotonic()
        await self._settle(messages)
        timings.settle = time.monotonic() - settling
        if timings.total > self._slowest.total:
            self._slowest = timings
        self._report_unrouted()

    def _drop_stale(self, messages: list[DeliveredMessage]) -> list[DeliveredMessage]:
        live = [message for message in messages if _from_open_channel(message)]
        if len(live) < len(messages):
            self.stats.stale_dropped += len(messages) - len(live)
            log.info(
                "messages of a lost channel dropped; the broker redelivers them",
                extra={"messages": len(messages) - len(live)},
            )
        return live

    async def _settle(self, messages: list[DeliveredMessage]) -> None:
        """Acknowledges the batch, stored and dead-lettered messages alike: per channel, one
        cumulative ack of its highest delivery tag. Deliveries of a channel reach the inbox in
        tag order and batches are taken in that order, so everything below it is settled."""
        highest: dict[int, DeliveredMessage] = {}
        lost = False
        for message in messages:
            if not _from_open_channel(message):
                lost = True
                continue
            if id(message) in self._requeued:  # by a failed dead-lettering
                continue
            current = highest.get(id(message.channel))
            if current is None or _delivery_tag(message) > _delivery_tag(current):
                highest[id(message.channel)] = message
        for message in highest.values():
            try:
                await message.channel.basic_ack(_delivery_tag(message), multiple=True)
            except BROKER_AWAY:
                lost = True
        if lost:
            # The channel closed after the commit: the broker redelivers these messages to
            # whoever holds the shard next, and the sessions ignore what they have.
            log.warning("channel lost before the ack; batch will be redelivered")

    async def _store(
        self, messages: list[DeliveredMessage], envelopes: list[Envelope]
    ) -> tuple[list[tuple[UUID, dict[str, Any]]], float]:
        """Stores the envelopes; returns the live items of their samples, and the time
        the appends took."""
        try:
            result = await self._write_while_database_away(envelopes)
            self.stats.add(result)
            return result.live, result.save_s
        except Exception:
            # Something in the batch cannot be stored: find it, store the rest.
            log.warning("batch refused; storing its envelopes one by one", exc_info=True)
            live: list[tuple[UUID, dict[str, Any]]] = []
            save_s = 0.0
            for message, envelope in zip(messages, envelopes, strict=True):
                try:
                    result = await self._write_while_database_away([envelope])
                    self.stats.add(result)
                    live.extend(result.live)
                    save_s += result.save_s
                except EnvelopeRefused as error:
                    await self._dead_letter(message, f"refused by the session: {error}")
                except Exception as error:
                    await self._dead_letter(message, f"could not be stored: {error!r}")
            return live, save_s

    async def _publish_live(self, items: list[tuple[UUID, dict[str, Any]]]) -> None:
        """One live message per partition. Live values are for whoever watches now: a
        message the broker does not take is logged and the batch is acknowledged anyway (if
        the channel is gone, the ack fails too and the redelivery publishes them again)."""
        batch = live_message.BatchBuilder(self._settings.live_partitions)
        for owner_id, data in items:
            batch.add(owner_id, data)
        results = await asyncio.gather(
            *(
                publish(
                    self._channel,
                    names.LIVE_EXCHANGE,
                    key,
                    body,
                    mandatory=False,
                    persistent=False,
                )
                for key, body in batch.messages()
            ),
            return_exceptions=True,
        )
        failures = [result for result in results if isinstance(result, BaseException)]
        self.stats.live_items += len(items)
        if failures:
            self.stats.live_failures += len(failures)
            log.warning(
                "live update not published; the samples are stored",
                extra={"messages": len(failures), "error": repr(failures[0])},
            )

    async def _write_while_database_away(self, envelopes: list[Envelope]) -> WriteResult:
        # Nothing is acknowledged before its batch is committed. While the database cannot
        # be reached the messages stay with this worker, unacknowledged, and the write is
        # retried; any other failure is the batch's own and is raised.
        loop = asyncio.get_running_loop()
        failures = 0
        while True:
            try:
                result = await loop.run_in_executor(None, self._writer.write, envelopes)
            except DATABASE_AWAY:
                failures += 1
                delay = min(MAX_RETRY_DELAY_S, RETRY_DELAY_S * 2 ** min(failures - 1, 8))
                log.warning(
                    "database unreachable; retrying the batch",
                    extra={"failures": failures, "retry_in_s": delay},
                    exc_info=failures == 1,  # one traceback per outage, not one a second
                )
                await asyncio.sleep(delay)
                continue
            if failures:
                log.info("database back; batch stored", extra={"after_failures": failures})
            return result

    async def _dead_letter(self, message: DeliveredMessage, reason: str) -> None:
        properties = message.header.properties
        headers = dict(properties.headers or {})
        headers[names.REASON_HEADER] = reason
        headers["x-original-routing-key"] = _routing_key(message)
        try:
            await publish(
                self._channel,
                names.DEAD_LETTER_EXCHANGE,
                _routing_key(message),
                message.body,
                mandatory=True,
                headers=headers,
                content_type=properties.content_type,
            )
        except BROKER_AWAY:
            # Not on the dead-letter queue: back to its own queue, to be judged again. It
            # must not wait here either, or the batch's cumulative ack would settle it.
            log.warning("dead-lettering failed; message requeued", exc_info=True)
            self._requeued.add(id(message))
            with contextlib.suppress(*BROKER_AWAY):
                await message.channel.basic_nack(_delivery_tag(message), requeue=True)
            return
        # Confirmed by the broker; the message itself is acknowledged with its batch.
        self.stats.dead_lettered += 1
        with correlation(str(headers.get(names.CORRELATION_HEADER) or "") or None):
            log.warning(
                "message dead-lettered",
                extra={"reason": reason, "routing_key": _routing_key(message)},
            )

    def _report_unrouted(self) -> None:
        now = time.monotonic()
        if now - self._unrouted_logged_at < UNROUTED_LOG_INTERVAL_S:
            return
        dropped = self.stats.unrouted - self._unrouted_reported
        if dropped:
            log.info("samples without a running session dropped", extra={"samples": dropped})
        self._unrouted_reported = self.stats.unrouted
        self._unrouted_logged_at = now
