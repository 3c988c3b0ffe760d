"""Exponential backoff with jitter, for reconnecting to sensors and to the broker.

The n-th delay is drawn uniformly from [d/2, d] with d = min(maximum, initial * factor^n)
("equal jitter"): many bridges (or several sensors of one bridge) that lost their link at
the same moment do not all come back at the same instant, and no delay is ever near zero.
"""

from __future__ import annotations

import asyncio
import contextlib
import random


class Backoff:
    def __init__(
        self,
        initial_s: float = 0.5,
        maximum_s: float = 30.0,
        factor: float = 2.0,
        rng: random.Random | None = None,
    ) -> None:
        if initial_s <= 0 or maximum_s < initial_s or factor < 1:
            raise ValueError("backoff needs 0 < initial <= maximum and factor >= 1")
        self.initial_s = initial_s
        self.maximum_s = maximum_s
        self.factor = factor
        self.attempts = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        ceiling = min(self.maximum_s, self.initial_s * self.factor**self.attempts)
        self.attempts += 1
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def reset(self) -> None:
        self.attempts = 0

    async def wait(self, stop: asyncio.Event) -> bool:
        """Sleeps the next delay; returns False at once if `stop` is set meanwhile."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), self.next_delay())
        return not stop.is_set()
