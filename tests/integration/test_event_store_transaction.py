"""The recorder's own transaction (adapters/eventstore/recorder.py: BEGIN, lock and NOTIFY in
one simple query, the INSERT, COMMIT): all or nothing with the statements saved beside the
events, a refused batch leaves nothing behind and the connection fit for the next save, and
every append is announced on the store's channel."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from adapters.eventstore import WattlogStore
from adapters.settings import Settings

TOPIC = "tests:Nothing"


def _events(originator_id: uuid.UUID, versions: range) -> list[StoredEvent]:
    return [StoredEvent(originator_id, v, TOPIC, b'{"v": %d}' % v) for v in versions]


def _stored(settings: Settings, originator_id: uuid.UUID) -> list[int]:
    with psycopg.connect(settings.database_url) as conn:
        rows = conn.execute(
            "SELECT originator_version FROM wattlog_events WHERE originator_id = %s"
            " ORDER BY originator_version",
            (originator_id,),
        ).fetchall()
    return [row[0] for row in rows]


@pytest.fixture
def marks(settings: Settings) -> Any:
    """A scratch table for the statements saved beside the events."""
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS test_recorder_marks (mark uuid PRIMARY KEY)")

    def marked(mark: uuid.UUID) -> bool:
        with psycopg.connect(settings.database_url) as conn:
            row = conn.execute("SELECT 1 FROM test_recorder_marks WHERE mark = %s", (mark,))
            return row.fetchone() is not None

    return marked


def test_events_and_the_statements_beside_them_commit_together(
    store: WattlogStore, settings: Settings, marks: Any
) -> None:
    originator_id, mark = uuid.uuid4(), uuid.uuid4()

    ids = store.recorder.insert_events(
        _events(originator_id, range(1, 4)),
        also_execute=[("INSERT INTO test_recorder_marks VALUES (%s)", (mark,))],
    )

    assert ids is not None and len(ids) == 3 and list(ids) == sorted(ids)
    assert _stored(settings, originator_id) == [1, 2, 3]
    assert marks(mark)


def test_a_batch_with_a_stored_version_is_refused_whole_and_the_next_one_is_stored(
    store: WattlogStore, settings: Settings, marks: Any
) -> None:
    originator_id, other_id, mark = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    store.recorder.insert_events(_events(originator_id, range(1, 3)))

    with pytest.raises(IntegrityError):
        store.recorder.insert_events(
            [*_events(other_id, range(1, 3)), *_events(originator_id, range(2, 4))],
            also_execute=[("INSERT INTO test_recorder_marks VALUES (%s)", (mark,))],
        )

    assert _stored(settings, originator_id) == [1, 2]
    assert _stored(settings, other_id) == []
    assert not marks(mark)
    # Every pooled connection is usable again (none was left inside the failed transaction).
    for version in range(3, 3 + 2 * store.database_pool.max_size):
        store.recorder.insert_events(_events(originator_id, range(version, version + 1)))
    assert _stored(settings, originator_id)[-1] == 2 + 2 * store.database_pool.max_size


def test_a_statement_beside_the_events_that_fails_stores_no_event(
    store: WattlogStore, settings: Settings
) -> None:
    originator_id = uuid.uuid4()

    with pytest.raises(Exception, match="test_no_such_table"):
        store.recorder.insert_events(
            _events(originator_id, range(1, 3)),
            also_execute=[("INSERT INTO test_no_such_table VALUES (1)", ())],
        )

    assert _stored(settings, originator_id) == []
    store.recorder.insert_events(_events(originator_id, range(1, 2)))
    assert _stored(settings, originator_id) == [1]


def test_every_append_is_announced_on_the_stores_channel(
    store: WattlogStore, settings: Settings
) -> None:
    with psycopg.connect(settings.database_url, autocommit=True) as listener:
        listener.execute(f'LISTEN "{store.notify_channel}"')

        store.recorder.insert_events(_events(uuid.uuid4(), range(1, 2)))

        notices = list(listener.notifies(timeout=5.0, stop_after=1))
    assert [notice.channel for notice in notices] == [store.notify_channel]
