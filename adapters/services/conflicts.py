"""The one load-check-retry helper of every use case (API, command line, importers, ingest).

Another process may append to the same aggregate between our load and our save (the ingest
worker records samples into a running session all the time; two requests may change one
profile). The save then loses the race for the next version (`IntegrityError`) and stores
nothing; the use case is simply repeated on a freshly loaded aggregate. After
`MAX_ATTEMPTS` lost races the `IntegrityError` is raised to the caller, which answers "busy,
retry" in its own terms (HTTP 409, a refused import).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from adapters.eventstore import WattlogStore
from adapters.sessions.routing import Statement

log = logging.getLogger(__name__)

T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)
MAX_ATTEMPTS = 5


def retry_on_conflict(attempt: Callable[[], T], *, what: str) -> T:
    """Runs ``attempt`` until it does not lose a race, at most `MAX_ATTEMPTS` times.

    ``attempt`` must store all or nothing (one `save`), and load what it changes afresh.
    """
    lost = 0
    while True:
        try:
            return attempt()
        except IntegrityError:
            lost += 1
            if lost == MAX_ATTEMPTS:
                raise
            log.info(f"{what} lost a race, re-applying", extra={"attempt": lost})


def load(store: WattlogStore, aggregate_id: UUID, kind: type[A]) -> A:
    """The aggregate ``aggregate_id``, which must be a ``kind`` (its id came from an index or
    a check that said so: anything else is a bug)."""
    aggregate: object = store.repository.get(aggregate_id)
    if not isinstance(aggregate, kind):
        raise TypeError(f"{aggregate_id} is not a {kind.__name__}")
    return aggregate


def find(store: WattlogStore, aggregate_id: UUID, kind: type[A]) -> A | None:
    """The aggregate ``aggregate_id`` if it exists and is a ``kind``, else None."""
    if not store.recorder.select_events(aggregate_id, limit=1):
        return None
    aggregate: object = store.repository.get(aggregate_id)
    return aggregate if isinstance(aggregate, kind) else None


def change(
    store: WattlogStore,
    aggregate_id: UUID,
    kind: type[A],
    decide: Callable[[A], object],
    *,
    what: str,
) -> A:
    """Loads the aggregate, lets ``decide`` change it (its command methods check), saves it;
    repeated on a fresh load when the save loses a race. ``decide`` may return a list of
    statements to run in the same transaction as the events (`adapters.sessions.routing`).
    An error raised by ``decide`` (a domain error) propagates, and nothing is saved; so is
    nothing when ``decide`` decided nothing."""

    def attempt() -> A:
        aggregate = load(store, aggregate_id, kind)
        statements = decide(aggregate)
        also: list[Statement] = statements if isinstance(statements, list) else []
        if also or aggregate.pending_events:
            store.save(aggregate, also_execute=also)
        return aggregate

    return retry_on_conflict(attempt, what=what)
