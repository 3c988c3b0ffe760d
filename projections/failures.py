"""Events a projection cannot project, set aside in `projection_failures` so the others go on.

An error is the event's when it is not the database being away or the schema missing: a
value out of range, a time no partition can hold, a bug on one event's shape. Such an event
is recorded here (with its reason) in the batch transaction that moves the projection past
it, and retried on an operator's command. Errors that are not the event's are raised, and
the batch is retried from the last committed position as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg
import psycopg.errors
from eventsourcing import persistence as es_persistence

from projections.base import ProjectionError

TABLE = "public.projection_failures"
MAX_REASON_CHARS = 1000

# Errors that say nothing about the event: the connection, a lock or deadlock, a query
# cancelled (all psycopg.OperationalError), tables or permissions missing. Retrying the
# batch is right for these; setting every event aside would be wrong.
_NOT_THE_EVENT: tuple[type[BaseException], ...] = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    es_persistence.OperationalError,
    es_persistence.InterfaceError,
    psycopg.errors.UndefinedTable,
    psycopg.errors.UndefinedColumn,
    psycopg.errors.UndefinedFunction,
    psycopg.errors.UndefinedObject,
    psycopg.errors.InvalidSchemaName,
    psycopg.errors.InsufficientPrivilege,
    psycopg.errors.ReadOnlySqlTransaction,
    psycopg.errors.InFailedSqlTransaction,
    ProjectionError,
)


def is_event_error(error: BaseException) -> bool:
    """True when ``error`` comes from the event being projected, not from the environment."""
    return isinstance(error, Exception) and not isinstance(error, _NOT_THE_EVENT)


def reason_of(error: BaseException) -> str:
    """The error's type and first line (never the event's data beyond what it says)."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    reason = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return reason[:MAX_REASON_CHARS]


@dataclass(frozen=True)
class Failure:
    notification_id: int
    originator_id: UUID | None
    topic: str
    reason: str


@dataclass(frozen=True)
class StoredFailure:
    projection: str
    notification_id: int
    originator_id: UUID | None
    topic: str
    error: str
    failed_at: datetime
    retried_at: datetime | None
    attempts: int


def record(conn: psycopg.Connection[Any], projection: str, failures: Sequence[Failure]) -> None:
    """Inside the batch transaction; a failure seen again keeps one row, its latest reason."""
    if not failures:
        return
    conn.execute(
        f"INSERT INTO {TABLE} (projection, notification_id, originator_id, topic, error)"
        " SELECT %s, * FROM unnest(%s::bigint[], %s::uuid[], %s::text[], %s::text[])"
        " ON CONFLICT (projection, notification_id) DO UPDATE SET error = EXCLUDED.error,"
        " attempts = projection_failures.attempts + 1",
        (
            projection,
            [f.notification_id for f in failures],
            [f.originator_id for f in failures],
            [f.topic for f in failures],
            [f.reason for f in failures],
        ),
    )


def listed(conn: psycopg.Connection[Any], projection: str | None = None) -> list[StoredFailure]:
    """Set-aside events, by projection then notification order."""
    rows = conn.execute(
        "SELECT projection, notification_id, originator_id, topic, error, failed_at,"
        f" retried_at, attempts FROM {TABLE} WHERE %(p)s::text IS NULL OR projection = %(p)s"
        " ORDER BY projection, notification_id",
        {"p": projection},
    ).fetchall()
    return [StoredFailure(*row) for row in rows]


def resolved(conn: psycopg.Connection[Any], projection: str, notification_id: int) -> None:
    conn.execute(
        f"DELETE FROM {TABLE} WHERE projection = %s AND notification_id = %s",
        (projection, notification_id),
    )


def still_failing(
    conn: psycopg.Connection[Any], projection: str, notification_id: int, reason: str
) -> None:
    conn.execute(
        f"UPDATE {TABLE} SET error = %s, retried_at = now(), attempts = attempts + 1"
        " WHERE projection = %s AND notification_id = %s",
        (reason, projection, notification_id),
    )


def forget(conn: psycopg.Connection[Any], projection: str) -> None:
    conn.execute(f"DELETE FROM {TABLE} WHERE projection = %s", (projection,))


def replace(conn: psycopg.Connection[Any], projection: str, rebuilt: str) -> None:
    """At a rebuild's swap: the rebuild examined every event, its failures are the truth."""
    forget(conn, projection)
    conn.execute(f"UPDATE {TABLE} SET projection = %s WHERE projection = %s", (projection, rebuilt))
