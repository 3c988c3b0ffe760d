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

An event the projection cannot project (an error that is the event's, not the database's:
projections/failures.py) does not stop it: the runner finds the failing events (bisecting
the batch, each part in a savepoint), records them in `projection_failures` with their
reason, and commits the others with the position, in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import Notification

from adapters.eventstore import WattlogStore
from projections import failures as projection_failures
from projections import tracking
from projections.base import LoggedEvent, Projection
from projections.failures import Failure

log = logging.getLogger(__name__)

# Live batches are small anyway (only what is new); the limit matters when catching up, where
# the samples projection re-reads ~50 s of context per session and batch: bigger batches
# spread that over more events (docs/projections.md, "Catch-up speed").
DEFAULT_BATCH_SIZE = 50_000


class _Moved(Exception):
    """Someone else moved the projection while this runner was reading its batch."""


@dataclass(frozen=True)
class RetryResult:
    projection: str
    projected: list[int]  # notification ids now projected (their rows left the table)
    still_failing: list[Failure]


def _failure(logged: LoggedEvent, error: BaseException) -> Failure:
    originator = getattr(logged.event, "originator_id", None)
    return Failure(
        logged.notification_id, originator, logged.topic, projection_failures.reason_of(error)
    )


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
        self._settle(conn)
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
        events, failures = self._decode(notifications)
        try:
            events, unprepared = self._prepare(conn, events)
            failures += unprepared
            with conn.transaction():
                tracking.lock_projection(conn, self.tracking_name)
                if self._current(conn) != (self.position, self.generation):
                    raise _Moved
                failures += self._apply(conn, events)
                failures.sort(key=lambda f: f.notification_id)
                projection_failures.record(conn, self.tracking_name, failures)
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
        for failure in failures:
            self._log_set_aside(failure)
        return examined_to - start

    def retry_failed(self) -> RetryResult:
        """Re-applies this projection's set-aside events, in notification order, one per
        transaction: those that now succeed leave the table, the others keep their reason."""
        conn = self.connection()
        projected: list[int] = []
        failing: list[Failure] = []
        for stored in projection_failures.listed(conn, self.tracking_name):
            notification_id = stored.notification_id
            found = self.store.recorder.select_notifications(
                start=notification_id, limit=1, stop=notification_id
            )
            events, failures = self._decode(found)
            if not found:
                failures = [
                    Failure(notification_id, stored.originator_id, stored.topic, "event not found")
                ]
            try:
                events, unprepared = self._prepare(conn, events)
                failures += unprepared
                with conn.transaction():
                    tracking.lock_projection(conn, self.tracking_name)
                    failures += self._apply(conn, events)
                    for failure in failures:
                        projection_failures.still_failing(
                            conn, self.tracking_name, notification_id, failure.reason
                        )
                    if not failures:
                        projection_failures.resolved(conn, self.tracking_name, notification_id)
            finally:
                self.projection.reset()
            if failures:
                failing.extend(failures)
                log.error(
                    "projection event still fails",
                    extra=self._failure_fields(failures[0]),
                )
            else:
                projected.append(notification_id)
                log.info(
                    "projection event retried and projected",
                    extra={"projection": self.name, "notification_id": notification_id},
                )
        return RetryResult(self.name, projected, failing)

    def _decode(
        self, notifications: Sequence[Notification]
    ) -> tuple[list[LoggedEvent], list[Failure]]:
        """The batch decoded; on an error that is a notification's, one by one."""
        try:
            return self.projection.decode(self.store.mapper, notifications), []
        except Exception as error:
            if not projection_failures.is_event_error(error):
                raise
        events: list[LoggedEvent] = []
        failures: list[Failure] = []
        for notification in notifications:
            try:
                events += self.projection.decode(self.store.mapper, [notification])
            except Exception as error:
                if not projection_failures.is_event_error(error):
                    raise
                failures.append(
                    Failure(
                        notification.id,
                        UUID(str(notification.originator_id)),
                        notification.topic,
                        projection_failures.reason_of(error),
                    )
                )
        return events, failures

    def _prepare(
        self, conn: psycopg.Connection[Any], events: list[LoggedEvent]
    ) -> tuple[list[LoggedEvent], list[Failure]]:
        """Prepares the events; those that fail it (bisecting to find them) are left out."""
        if not events:
            return events, []
        try:
            self.projection.prepare(conn, events)
            return events, []
        except Exception as error:
            if not projection_failures.is_event_error(error):
                raise
            if len(events) == 1:
                return [], [_failure(events[0], error)]
        middle = len(events) // 2
        first, first_failures = self._prepare(conn, events[:middle])
        second, second_failures = self._prepare(conn, events[middle:])
        return first + second, first_failures + second_failures

    def _apply(self, conn: psycopg.Connection[Any], events: list[LoggedEvent]) -> list[Failure]:
        """Applies the events inside the open transaction, each part in a savepoint: when a
        part fails on an event's error, its halves are applied in order, down to the single
        events that fail. What the others write is what projecting them without the failing
        events gives, since a projection's result never depends on how the log is batched."""
        if not events:
            return []
        try:
            with conn.transaction():
                self.projection.apply(conn, events)
            return []
        except Exception as error:
            if not projection_failures.is_event_error(error):
                raise
            self.projection.reset()
            if len(events) == 1:
                return [_failure(events[0], error)]
        middle = len(events) // 2
        return self._apply(conn, events[:middle]) + self._apply(conn, events[middle:])

    def _log_set_aside(self, failure: Failure) -> None:
        log.error("projection event set aside", extra=self._failure_fields(failure))

    def _failure_fields(self, failure: Failure) -> dict[str, Any]:
        return {
            "projection": self.name,
            "notification_id": failure.notification_id,
            "session": str(failure.originator_id) if failure.originator_id else None,
            "topic": failure.topic,
            "reason": failure.reason,
        }

    def _settle(self, conn: psycopg.Connection[Any]) -> None:
        """Work a projection does after its commits, outside any transaction (TimescaleDB's
        explicit rollup refreshes); left over after a crash, it is done on the next call."""
        settle = getattr(self.projection, "settle", None)
        if settle is not None:
            settle(conn)

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
