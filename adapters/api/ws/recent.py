"""A bounded memory of recently seen ids, to drop redelivered messages."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable


class RecentIds:
    def __init__(self, capacity: int) -> None:
        self._order: deque[Hashable] = deque()
        self._seen: set[Hashable] = set()
        self._capacity = capacity

    def first_time(self, key: Hashable) -> bool:
        """True the first time `key` is offered (within the last `capacity` ids)."""
        if key in self._seen:
            return False
        self._seen.add(key)
        self._order.append(key)
        if len(self._order) > self._capacity:
            self._seen.discard(self._order.popleft())
        return True
