"""A per-socket outbox that is bounded and, when full, keeps the latest value per key.

While a client keeps up, every message goes out, in order. When it falls behind and
`max_entries` are waiting, room is made by dropping the oldest message that has a newer
one with the same key (same session, kind and sensor) waiting behind it, and only if
there is none, the oldest message. A slow client therefore catches up with current values
instead of replaying history, and never holds more than `max_entries` messages.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Hashable


class LatestBuffer:
    def __init__(self, max_entries: int = 256) -> None:
        self._queue: deque[tuple[Hashable, bytes]] = deque()
        self._waiting: Counter[Hashable] = Counter()
        self._max_entries = max_entries
        self._ready = asyncio.Event()
        self.dropped = 0

    def put(self, key: Hashable, payload: bytes) -> None:
        self._queue.append((key, payload))
        self._waiting[key] += 1
        if len(self._queue) > self._max_entries:
            self._drop_one()
        self._ready.set()

    def __len__(self) -> int:
        return len(self._queue)

    async def take(self) -> list[bytes]:
        """Everything waiting, oldest first; waits until there is something."""
        await self._ready.wait()
        payloads = [payload for _, payload in self._queue]
        self._queue.clear()
        self._waiting.clear()
        self._ready.clear()
        return payloads

    def _drop_one(self) -> None:
        for index, (key, _) in enumerate(self._queue):
            if self._waiting[key] > 1:
                del self._queue[index]
                self._forget(key)
                return
        key, _ = self._queue.popleft()
        self._forget(key)

    def _forget(self, key: Hashable) -> None:
        self.dropped += 1
        self._waiting[key] -= 1
        if not self._waiting[key]:
            del self._waiting[key]
