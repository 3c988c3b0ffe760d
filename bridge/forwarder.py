"""Sends the outbox to the broker during one connection, and deletes what it confirms.

Order of priority on every round:
1. command acknowledgements (small, and a rider is waiting for the trainer to react): at once;
2. live samples: everything stored since this connection came up, in sequence order, sent
   together every `send_interval_s` (a notification after a quiet spell goes at once, the
   ones that follow it wait for the next send): each envelope costs the broker and the
   ingest worker far more than a sample in it (docs/benchmarks.md);
3. the backlog (samples stored while disconnected), oldest first, one chunk at a time and
   at most `backlog_rate` samples per second, so that live samples never queue behind a
   long outage's worth of data, here or in the broker's queue in front of the ingest worker.
Each stream is in order; the server deduplicates by (client id, seq) and keeps a set of
ranges, so backlog and live samples arriving interleaved is fine.

Publishes are pipelined (`max_in_flight` envelopes awaiting their confirm). A sample is
deleted only after the broker confirmed its envelope; any failure ends the connection, and
the next one starts from what the outbox still holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bridge.config import BridgeConfig
from bridge.outbox import AsyncOutbox
from wire.envelope import Ack, Envelope, Sample, encode_envelope

# (body, correlation id) -> returns once the broker confirmed; raises otherwise
Publish = Callable[[bytes, str], Awaitable[None]]
ACKS_PER_ENVELOPE = 100


@dataclass
class ForwardStats:
    published: int = 0  # samples in envelopes sent (a resend counts again)
    confirmed: int = 0
    acks_confirmed: int = 0
    backlog_remaining: bool = False


class TokenBucket:
    def __init__(self, rate: float, burst: float, clock: Callable[[], float]) -> None:
        self.rate, self.burst, self._clock = rate, burst, clock
        self._tokens, self._at = burst, clock()

    def available(self) -> float:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        return self._tokens

    def take(self, count: float) -> None:
        self.available()
        self._tokens -= count

    def seconds_until(self, count: float) -> float:
        return max(0.0, (count - self.available()) / self.rate)


class Forwarder:
    def __init__(
        self,
        config: BridgeConfig,
        outbox: AsyncOutbox,
        publish: Publish,
        wake: asyncio.Event,
        stats: ForwardStats,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._clock = clock
        self._outbox = outbox
        self._publish = publish
        self._wake = wake
        self.stats = stats
        self._bucket = TokenBucket(config.backlog_rate, config.backlog_chunk, clock)
        self._window = asyncio.Semaphore(config.max_in_flight)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._failure: BaseException | None = None

    async def run(self) -> None:
        """Runs until a publish fails (raising its error) or the task is cancelled."""
        sync = self._outbox.sync
        boundary = await self._outbox.call(sync.next_seq)
        backlog_next = await self._outbox.call(sync.first_seq)
        backlog_next = boundary if backlog_next is None else backlog_next
        live_next = boundary
        live_due_at = self._clock()
        ack_next = 0
        try:
            while True:
                self._raise_failure()
                self._wake.clear()
                sent = False
                acks = await self._outbox.call(sync.acks, ack_next, ACKS_PER_ENVELOPE)
                if acks:
                    await self._send_acks(acks)
                    ack_next = acks[-1][0]
                    sent = True
                wait_s: float | None = None
                live_wait_s = live_due_at - self._clock()
                if live_wait_s <= 0:
                    live = await self._outbox.read(
                        live_next, None, self._config.envelope_max_samples
                    )
                    if live:
                        await self._send_samples(live)
                        live_next = live[-1].seq + 1
                        sent = True
                        if len(live) < self._config.envelope_max_samples:
                            live_due_at = self._clock() + self._config.send_interval_s
                else:
                    wait_s = live_wait_s
                if backlog_next < boundary:
                    chunk_size = self._config.backlog_chunk
                    backlog_wait_s = self._bucket.seconds_until(chunk_size)
                    wait_s = backlog_wait_s if wait_s is None else min(wait_s, backlog_wait_s)
                    if backlog_wait_s == 0:
                        chunk = await self._outbox.read(backlog_next, boundary, chunk_size)
                        if chunk:
                            self._bucket.take(len(chunk))
                            await self._send_samples(chunk)
                            backlog_next = chunk[-1].seq + 1
                            sent = True
                        else:
                            backlog_next = boundary
                self.stats.backlog_remaining = backlog_next < boundary
                if not sent:
                    await self._sleep(wait_s)
        finally:
            for task in self._in_flight:
                task.cancel()

    async def drain(self, timeout_s: float) -> None:
        """Waits for the confirms of what is in flight (a clean shutdown)."""
        if self._in_flight:
            await asyncio.wait(set(self._in_flight), timeout=timeout_s)

    async def _send_samples(self, samples: Sequence[Sample]) -> None:
        envelope = Envelope(
            client_id=self._config.client_id,
            sent_at=time.time(),
            correlation_id=uuid.uuid4().hex,
            samples=tuple(samples),
        )
        seqs = [s.seq for s in samples]

        async def confirmed() -> None:
            await self._outbox.delete(seqs)
            self.stats.confirmed += len(seqs)

        self.stats.published += len(seqs)
        await self._start(envelope, confirmed)

    async def _send_acks(self, acks: Sequence[tuple[int, Ack]]) -> None:
        envelope = Envelope(
            client_id=self._config.client_id,
            sent_at=time.time(),
            correlation_id=uuid.uuid4().hex,
            acks=tuple(ack for _, ack in acks),
            kind="ack",
        )
        ids = [ack_id for ack_id, _ in acks]

        async def confirmed() -> None:
            await self._outbox.call(self._outbox.sync.delete_acks, ids)
            self.stats.acks_confirmed += len(ids)

        await self._start(envelope, confirmed)

    async def _start(self, envelope: Envelope, on_confirm: Callable[[], Awaitable[None]]) -> None:
        await self._window.acquire()
        self._raise_failure()
        body = encode_envelope(envelope)

        async def publish() -> None:
            try:
                await asyncio.wait_for(
                    self._publish(body, envelope.correlation_id), self._config.confirm_timeout_s
                )
                await on_confirm()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self._failure = self._failure or error
                self._wake.set()
            finally:
                self._window.release()

        # Tasks reach the channel's publish lock in creation order, so envelopes go out in
        # the order they were made.
        task = asyncio.create_task(publish())
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _sleep(self, at_most_s: float | None) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), at_most_s)

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure
