"""From notification to outbox: BLE callbacks enqueue, this task decodes and stores.

Notifications are taken in batches (whatever has arrived, up to `BATCH_MAX`), decoded, and
written to the outbox in one transaction, which gives them their sequence numbers. A
malformed frame is counted, logged now and then, and dropped: it never stops the stream.
"""

from __future__ import annotations

import asyncio
import logging
import time

from bridge.decoding import Notification, SampleDecoder
from bridge.gatt.errors import GattDecodeError
from bridge.outbox import AsyncOutbox, NewSample
from bridge.status import BridgeStatus

log = logging.getLogger(__name__)

QUEUE_MAX = 10_000
BATCH_MAX = 1_000
BAD_FRAME_LOG_EVERY_S = 10.0


class Recorder:
    def __init__(
        self,
        outbox: AsyncOutbox,
        status: BridgeStatus,
        wake: asyncio.Event,
        decoder: SampleDecoder | None = None,
    ) -> None:
        self._outbox = outbox
        self._status = status
        self._wake = wake
        self._decoder = decoder or SampleDecoder()
        self._queue: asyncio.Queue[Notification] = asyncio.Queue(QUEUE_MAX)
        self._bad_logged_at = 0.0

    def enqueue(self, notification: Notification) -> None:
        """What BLE callbacks call: no decoding, no I/O."""
        self._status.notifications += 1
        try:
            self._queue.put_nowait(notification)
        except asyncio.QueueFull:
            self._status.overflows += 1

    async def run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < BATCH_MAX and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._store(batch)

    async def flush(self) -> None:
        """Stores whatever is still queued (on shutdown, after the sensors stopped)."""
        batch: list[Notification] = []
        while not self._queue.empty():
            batch.append(self._queue.get_nowait())
        if batch:
            await self._store(batch)

    async def _store(self, batch: list[Notification]) -> None:
        samples = [sample for n in batch if (sample := self._decode(n)) is not None]
        if not samples:
            return
        result = await self._outbox.append(samples)
        self._status.stored += len(samples)
        if result.dropped:
            self._status.dropped += result.dropped
            self._status.note_error(
                f"outbox full: dropped the {result.dropped} oldest unsent samples"
            )
            log.warning("outbox over its disk budget", extra={"dropped": result.dropped})
        self._wake.set()

    def _decode(self, notification: Notification) -> NewSample | None:
        try:
            return self._decoder.decode(notification)
        except GattDecodeError as error:
            self._status.decode_errors += 1
            now = time.monotonic()
            if now - self._bad_logged_at >= BAD_FRAME_LOG_EVERY_S:
                self._bad_logged_at = now
                log.warning(
                    "malformed notification dropped",
                    extra={
                        "sensor": notification.sensor_id,
                        "payload": notification.payload.hex(),
                        "error": str(error),
                        "bad_frames": self._status.decode_errors,
                    },
                )
            return None
