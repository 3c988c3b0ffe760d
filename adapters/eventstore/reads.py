"""Reads of many aggregates' stored events in one query, for `WattlogStore.get_many`.

The library reads one aggregate at a time (`select_events`: its latest snapshot, then the
events after it). These do the same for a list of aggregates, on any of the library's
PostgreSQL recorders (the events' or the snapshots': each reads its own table), with the
same retry on a dropped connection.

Each aggregate's rows come from a LATERAL subquery ordered by version: PostgreSQL does not
merge a subquery with an ORDER BY into a join, so every aggregate is one range scan of the
primary key (originator_id, originator_version), whatever the table's size or the
planner's guess of how many aggregates are asked for (EXPLAIN ANALYZE, 2,000 sessions of
an 800,000-event table: their latest snapshots in 2 ms, 102,000 events after them in 77).
Each read runs with PostgreSQL's JIT compilation off: the planner guesses a third of each
aggregate's events for "after its snapshot" (thousands per session of a long ride), and
over a few hundred sessions that guess passes the cost at which PostgreSQL compiles the
query, about 90 ms on the development machine, to read what is mostly a handful of rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

# Every version is at least this (the smallest bigint): "after no snapshot" is "from here".
_FIRST_VERSION = -(2**63)

_NO_JIT = SQL("SET LOCAL jit = off")
_LATEST = SQL(
    "SELECT r.* FROM unnest(%s::{id_type}[]) AS wanted(id)"
    " CROSS JOIN LATERAL (SELECT originator_id, originator_version, topic, state"
    " FROM {schema}.{table} WHERE originator_id = wanted.id"
    " ORDER BY originator_version DESC LIMIT 1) AS r"
)
_AFTER = SQL(
    "SELECT r.* FROM unnest(%s::{id_type}[], %s::bigint[]) AS wanted(id, first_version)"
    " CROSS JOIN LATERAL (SELECT originator_id, originator_version, topic, state"
    " FROM {schema}.{table} WHERE originator_id = wanted.id"
    " AND originator_version >= wanted.first_version ORDER BY originator_version) AS r"
)


@retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
def select_latest(
    recorder: PostgresAggregateRecorder, originator_ids: Sequence[Any]
) -> dict[Any, StoredEvent]:
    """The highest version of each originator that has any (the latest snapshot, for the
    snapshot store's recorder), by originator id."""
    rows = _select(recorder, _LATEST, list(originator_ids))
    return {event.originator_id: event for event in rows}


@retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
def select_after(
    recorder: PostgresAggregateRecorder, after: Mapping[Any, int | None]
) -> dict[Any, list[StoredEvent]]:
    """The events of each originator after the version given for it (None: all of them),
    in version order, by originator id; an originator with none is left out."""
    first_versions = [_FIRST_VERSION if gt is None else gt + 1 for gt in after.values()]
    events: dict[Any, list[StoredEvent]] = {}
    for event in _select(recorder, _AFTER, list(after), first_versions):
        events.setdefault(event.originator_id, []).append(event)
    for listed in events.values():
        # Rows come in each subquery's order; SQL promises no order without an outer
        # ORDER BY, whose sort of every row could spill to disk. Sorted lists cost a pass.
        listed.sort(key=_version)
    return events


def _select(recorder: PostgresAggregateRecorder, query: SQL, *params: Any) -> list[StoredEvent]:
    datastore = recorder.datastore
    statement = query.format(
        id_type=Identifier(datastore.originator_id_type),
        schema=Identifier(datastore.schema),
        table=Identifier(recorder.events_table_name),
    )
    with datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
        curs.execute(_NO_JIT)
        curs.execute(statement, params)
        return [
            StoredEvent(
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            for row in curs.fetchall()
        ]


def _version(event: StoredEvent) -> int:
    return event.originator_version
