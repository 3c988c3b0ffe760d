"""Consumes the shard queues, groups messages into batches, writes each batch in one
transaction and acknowledges its messages only after the commit.

Every shard queue has a single active consumer: each worker subscribes to all shards and
the broker lets one of them consume each shard, so one bridge's messages are handled in
order by one worker, and when that worker dies its shards move to another.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from dataclasses import dataclass

import aio_pika
import psycopg
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from aio_pika.exceptions import ChannelInvalidStateError
from eventsourcing import persistence

from adapters.amqp import names
from adapters.ingest.writer import EnvelopeRefused, SessionWriter, WriteResult
from adapters.logs import correlation
from adapters.settings import Settings
from bridge.protocol import Envelope, EnvelopeError, client_id_from_routing_key, parse_envelope

log = logging.getLogger(__name__)

DATABASE_AWAY = (
    psycopg.OperationalError,
    persistence.OperationalError,
    persistence.InterfaceError,
)
UNROUTED_LOG_INTERVAL_S = 60.0
STATS_LOG_INTERVAL_S = 10.0
RETRY_DELAY_S = 1.0


@dataclass
class IngestStats:
    messages: int = 0
    stored: int = 0
    duplicates: int = 0
    unrouted: int = 0
    dead_lettered: int = 0
    batches: int = 0
    busy_s: float = 0.0  # time spent handling batches, as opposed to waiting for messages

    def add(self, result: WriteResult) -> None:
        self.stored += result.stored
        self.duplicates += result.duplicates
        self.unrouted += result.unrouted


def _delivery_tag(message: AbstractIncomingMessage) -> int:
    return message.delivery_tag or 0


class IngestConsumer:
    def __init__(
        self,
        settings: Settings,
        channel: AbstractChannel,
        writer: SessionWriter,
    ) -> None:
        self._settings = settings
        self._channel = channel
        self._writer = writer
        self._inbox: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        self.stats = IngestStats()
        self._unrouted_reported = 0
        self._unrouted_logged_at = time.monotonic()

    async def start(self) -> None:
        for index in range(self._settings.ingest_shards):
            queue = await self._channel.get_queue(names.shard_queue(index), ensure=False)
            await queue.consume(self._inbox.put, no_ack=False)

    async def run(self) -> None:
        reported_at, reported = time.monotonic(), IngestStats()
        while True:
            batch = await self._next_batch()
            started = time.monotonic()
            await self._handle(batch)
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
            },
        )

    async def _next_batch(self) -> list[AbstractIncomingMessage]:
        batch = [await self._inbox.get()]
        deadline = time.monotonic() + self._settings.ingest_batch_wait_ms / 1000
        while len(batch) < self._settings.ingest_batch_max:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(await asyncio.wait_for(self._inbox.get(), remaining))
            except TimeoutError:
                break
        return batch

    async def _handle(self, messages: list[AbstractIncomingMessage]) -> None:
        envelopes: list[Envelope] = []
        accepted: list[AbstractIncomingMessage] = []
        for message in messages:
            try:
                client_id = client_id_from_routing_key(message.routing_key or "")
                envelopes.append(parse_envelope(message.body, expected_client_id=client_id))
                accepted.append(message)
            except EnvelopeError as error:
                await self._dead_letter(message, str(error))
        if envelopes:
            await self._store(accepted, envelopes)
            # All shards share one channel and the batch holds every earlier delivery that
            # is not yet settled, so one cumulative ack settles the whole batch.
            # (Not one that was dead-lettered, and so acknowledged, on the way.)
            unsettled = [m for m in accepted if not m.processed]
            try:
                if unsettled:
                    await max(unsettled, key=_delivery_tag).ack(multiple=True)
            except ChannelInvalidStateError:
                # The channel closed after the commit: the broker redelivers the batch to
                # whoever holds the shard next, and the sessions ignore what they have.
                log.warning("channel lost before the ack; batch will be redelivered")
        self.stats.messages += len(messages)
        self.stats.batches += 1
        self._report_unrouted()

    async def _store(
        self, messages: list[AbstractIncomingMessage], envelopes: list[Envelope]
    ) -> None:
        try:
            self.stats.add(await self._write_while_database_away(envelopes))
        except Exception:
            # Something in the batch cannot be stored: find it, store the rest.
            log.warning("batch refused; storing its envelopes one by one", exc_info=True)
            for message, envelope in zip(messages, envelopes, strict=True):
                try:
                    self.stats.add(await self._write_while_database_away([envelope]))
                except EnvelopeRefused as error:
                    await self._dead_letter(message, f"refused by the session: {error}")
                except Exception as error:
                    await self._dead_letter(message, f"could not be stored: {error!r}")

    async def _write_while_database_away(self, envelopes: list[Envelope]) -> WriteResult:
        # Nothing is acknowledged before its batch is committed. While the database cannot
        # be reached the messages stay with this worker, unacknowledged, and the write is
        # retried; any other failure is the batch's own and is raised.
        loop = asyncio.get_running_loop()
        while True:
            try:
                return await loop.run_in_executor(None, self._writer.write, envelopes)
            except DATABASE_AWAY:
                log.exception("database unreachable; retrying the batch")
                await asyncio.sleep(RETRY_DELAY_S)

    async def _dead_letter(self, message: AbstractIncomingMessage, reason: str) -> None:
        headers = dict(message.headers or {})
        headers[names.REASON_HEADER] = reason
        headers["x-original-routing-key"] = message.routing_key or ""
        exchange = await self._channel.get_exchange(names.DEAD_LETTER_EXCHANGE, ensure=False)
        await exchange.publish(
            aio_pika.Message(
                message.body,
                headers=headers,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                content_type=message.content_type,
            ),
            routing_key=message.routing_key or "",
        )
        await message.ack()
        self.stats.dead_lettered += 1
        with correlation(str(headers.get(names.CORRELATION_HEADER) or "") or None):
            log.warning(
                "message dead-lettered",
                extra={"reason": reason, "routing_key": message.routing_key},
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
