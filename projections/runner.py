"""Feeds one projection the notification log, a batch per transaction, exactly once.

A batch: read up to `batch_size` notifications of the projection's topics after its
position (and never past the position of the projection it depends on); let the projection
prepare (DDL in short transactions of its own); then, in one transaction: take the
projection's advisory lock, check that its position and generation are still the ones this
runner started from (another copy of the projector, or a rebuild swap, may have moved them;
then the runner resynchronises and tries again), apply the batch, and record the new position
with the library's tracking recorder. A crash before the commit leaves no trace; after it, the
position says where to go on.

The position recorded is the last notification *examined*, not just the last one of the
projection's topics, so an idle projection is not "behind" because of others' events.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg

from adapters.eventstore import WattlogStore
from projections import tracking
from projections.base import Projection

log = logging.getLogger(__name__)

# Live batches are small anyway (only what is new); the limit matters when catching up, where
# the samples projection re-reads ~50 s of context per session and batch: bigger batches
# spread that over more events (docs/projections.md, "Catch-up speed").
DEFAULT_BATCH_SIZE = 50_000


class _Moved(Exception):
    """Someone else moved the projection while this runner was reading its batch."""


class ProjectionRunner:
    def __init__(
        self,
        store: WattlogStore,
        projection: Projection,
        database_url: str,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        tracking_name: str | None = None,
        search_path: str | None = None,
    ) -> None:
        self.store = store
        self.projection = projection
        self.tracking_name = tracking_name or projection.name
        self.batch_size = batch_size
        self.position = -1
        self.generation = -1
        self._database_url = database_url
        self._search_path = search_path
        self._recorder = tracking.tracking_recorder(store)
        self._conn: psycopg.Connection[Any] | None = None

    @property
    def name(self) -> str:
        return self.tracking_name

    def connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = psycopg.connect(self._database_url, autocommit=True)
            if self._search_path:
                self._conn.execute(f"SET search_path TO {self._search_path}")
            self.position = -1
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def head(self) -> int:
        return self.store.recorder.max_notification_id() or 0

    def run_batch(self) -> int:
        """Projects the next batch; returns how many notifications it moved past (0: none)."""
        conn = self.connection()
        if self.position < 0:
            self._resync(conn)
        stop = self.head()
        if self.projection.depends_on:
            stop = min(stop, tracking.read_position(conn, self.projection.depends_on))
        if stop <= self.position:
            return 0
        start = self.position
        notifications = self.store.recorder.select_notifications(
            start=start,
            limit=self.batch_size,
            stop=stop,
            topics=self.projection.topics,
            inclusive_of_start=False,
        )
        examined_to = notifications[-1].id if len(notifications) >= self.batch_size else stop
        events = self.projection.decode(self.store.mapper, notifications)
        try:
            self.projection.prepare(conn, events)
            with conn.transaction():
                tracking.lock_projection(conn, self.tracking_name)
                if self._current(conn) != (self.position, self.generation):
                    raise _Moved
                self.projection.apply(conn, events)
                tracking.record_position(self._recorder, conn, self.tracking_name, examined_to)
        except _Moved:
            log.info("projection moved under us; resynchronising", extra={"projection": self.name})
            self.projection.reset()
            self._resync(conn)
            return 1
        except BaseException:
            self.projection.reset()
            self.position = -1
            raise
        self.position = examined_to
        return examined_to - start

    def catch_up(self) -> None:
        while self.run_batch():
            pass

    def _current(self, conn: psycopg.Connection[Any]) -> tuple[int, int]:
        return (
            tracking.read_position(conn, self.tracking_name),
            tracking.read_generation(conn, self.tracking_name),
        )

    def _resync(self, conn: psycopg.Connection[Any]) -> None:
        self.position, self.generation = self._current(conn)
