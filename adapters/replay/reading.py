"""Reading a session's stored events from the event store (synchronous: run in a thread).

A whole ride is read in pages, oldest first. Catching up reads backwards from the newest
event and stops at the first one committed at or before the time the client last saw, so
the cost follows the gap, not the ride's length.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from adapters.eventstore import WattlogStore

PAGE_SIZE = 2000
MAX_REPLAY_EVENTS = 120_000  # 6.6 hours of a trainer at 4 Hz and a strap at 1 Hz (~65 MB)


class ReplayTooLong(ValueError):
    """The session has more events than one replay holds in memory."""


@dataclass(frozen=True)
class Recent:
    events: list[Any]  # oldest first
    truncated: bool  # older events after `after_at` exist but were left out


def read_session(store: WattlogStore, session_id: UUID) -> list[Any]:
    events: list[Any] = []
    last: int | None = None
    while True:
        page = list(store.events.get(session_id, gt=last, limit=PAGE_SIZE))
        events.extend(page)
        if len(events) > MAX_REPLAY_EVENTS:
            raise ReplayTooLong(f"the session has more than {MAX_REPLAY_EVENTS} events")
        if len(page) < PAGE_SIZE:
            return events
        last = page[-1].originator_version


def read_since(store: WattlogStore, session_id: UUID, after_at: float, limit: int) -> Recent:
    """The session's events committed after `after_at` (epoch s), at most the `limit` newest."""
    newest_first: list[Any] = []
    below: int | None = None
    while True:
        page_size = min(PAGE_SIZE, limit + 1 - len(newest_first))
        page: list[Any] = list(store.events.get(session_id, lte=below, desc=True, limit=page_size))
        for event in page:
            if event.timestamp.timestamp() <= after_at:
                return Recent(newest_first[::-1], truncated=False)
            newest_first.append(event)
            if len(newest_first) > limit:
                return Recent(newest_first[:limit][::-1], truncated=True)
        if len(page) < page_size:
            return Recent(newest_first[::-1], truncated=False)
        below = page[-1].originator_version - 1
        if below < 1:
            return Recent(newest_first[::-1], truncated=False)
