"""The application recorder, with two changes to the library's:

- `WattlogStore.save(..., also_execute=[(sql, params), ...])` runs those statements inside
  the transaction that appends the events, so a session's `Started` event and the row
  routing its bridge to it commit together or not at all.
- Events are sent as four plain arrays (`unnest(uuid[], bigint[], text[], bytea[])`)
  instead of one array of a composite type: psycopg dumps composites in pure Python, which
  was the largest cost of a big batch. Same table lock, same NOTIFY, same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

INSERT_CHUNK = 1000  # events per INSERT statement (all in the same transaction)


class WattlogRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        self._insert_arrays_statement = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state)"
            " SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[])"
            " RETURNING notification_id"
        ).format(
            schema=Identifier(datastore.schema),
            table=Identifier(events_table_name),
            id_type=Identifier(datastore.originator_id_type),
        )

    def _insert_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> None:
        # The library calls this hook first, on its own cursor, inside the transaction.
        for statement, params in kwargs.get("also_execute", ()):
            curs.execute(statement, params)

    def _insert_stored_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> None:
        self._lock_table(curs)
        self._notify_channel(curs)
        # In chunks: one statement of several megabytes stalls psycopg's pipeline (the
        # server waits for the rest of a message the client never flushes).
        curs.executemany(
            self._insert_arrays_statement,
            [
                (
                    [e.originator_id for e in chunk],
                    [e.originator_version for e in chunk],
                    [e.topic for e in chunk],
                    [e.state for e in chunk],
                )
                for chunk in _chunks(stored_events, INSERT_CHUNK)
            ],
            returning=True,
        )

    def _fetch_ids_after_insert_events(
        self,
        curs: Cursor[DictRow],
        stored_events: Sequence[StoredEvent],
        **kwargs: Any,
    ) -> Sequence[int] | None:
        # The cursor holds the results of the lock and NOTIFY too: keep the INSERTs' rows.
        notification_ids: list[int] = []
        while True:
            if curs.description is not None:
                notification_ids.extend(row["notification_id"] for row in curs.fetchall())
            if not curs.nextset():
                return notification_ids


def _chunks(events: Sequence[StoredEvent], size: int) -> list[Sequence[StoredEvent]]:
    return [events[start : start + size] for start in range(0, len(events), size)]
