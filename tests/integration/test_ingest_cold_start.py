"""The ingest worker's cold start: a batch from many riders it has never seen (after a restart,
or a shard's failover) is routed and loaded in a few queries, not a few per rider, and
stores exactly what a warm worker stores: nothing twice, and the whole batch after a lost
race."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pipeline_helpers import sample_envelope
from psycopg_pool import ConnectionPool

from adapters.eventstore import WattlogStore
from adapters.ingest.routes import RouteTable
from adapters.ingest.writer import SessionWriter
from adapters.services.sessions import SessionService
from adapters.settings import Settings
from domain.events import SampleRecorded
from domain.sessions import WorkoutSession
from wire.envelope import Envelope

RIDERS = 30


@pytest.fixture
def routes_pool(settings: Settings) -> Iterator[ConnectionPool]:
    with ConnectionPool(settings.database_url, min_size=1, max_size=2) as pool:
        yield pool


def counted(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[None]:
    """Counts the calls of ``owner.name`` (which still does what it did) until the test
    ends: taking a connection from a pool is one query, or one transaction."""
    calls: list[None] = []
    original: Callable[..., Any] = getattr(owner, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(None)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls


def start_riders(store: WattlogStore, count: int, samples: int = 0) -> list[WorkoutSession]:
    """Running sessions, each with ``samples`` samples stored already (by another worker)."""
    service = SessionService(store)
    sessions = []
    for _ in range(count):
        session = service.start(
            athlete_id=uuid.uuid4(),
            owner_id=uuid.uuid4(),
            client_id=f"bridge-{uuid.uuid4().hex[:8]}",
            ftp_w=250,
        )
        for seq in range(samples):
            session.record_sample(**sample_fields(session.client_id, seq))
            store.save(session)  # one save each: a snapshot at every multiple of the interval
        sessions.append(session)
    return sessions


def sample_fields(client_id: str, seq: int) -> dict[str, Any]:
    (sample,) = sample_envelope(client_id, [seq]).samples
    return {
        "client_id": client_id,
        "seq": seq,
        "device_time": sample.device_time,
        "sensor_id": sample.sensor_id,
        "characteristic": sample.characteristic,
        "raw": sample.raw,
        "values": sample.values,
    }


def one_envelope_each(sessions: list[WorkoutSession], seq: int) -> list[Envelope]:
    return [sample_envelope(session.client_id, [seq]) for session in sessions]


def stored_seqs(store: WattlogStore, session_id: uuid.UUID) -> list[int]:
    return [e.seq for e in store.events.get(session_id) if isinstance(e, SampleRecorded)]


def test_a_batch_from_riders_never_seen_is_routed_in_one_query_and_loaded_in_two(
    snapshotting_store: WattlogStore,
    routes_pool: ConnectionPool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = snapshotting_store
    sessions = start_riders(store, RIDERS, samples=13)  # a snapshot, then 4 events each
    writer = SessionWriter(store, RouteTable(routes_pool))
    route_queries = counted(monkeypatch, routes_pool, "connection")
    store_queries = counted(monkeypatch, store.recorder.datastore, "get_connection")  # type: ignore[attr-defined]

    result = writer.write(one_envelope_each(sessions, seq=13))

    assert (result.stored, result.duplicates) == (RIDERS, 0)
    assert len(route_queries) == 1
    assert len(store_queries) == 3  # the latest snapshots, the events after them, the append
    for session in sessions:
        assert stored_seqs(store, session.id) == list(range(14))


def test_a_batch_from_riders_never_seen_redelivered_to_another_worker_stores_nothing_twice(
    snapshotting_store: WattlogStore, routes_pool: ConnectionPool
) -> None:
    store = snapshotting_store
    sessions = start_riders(store, RIDERS, samples=25)
    batch = one_envelope_each(sessions, seq=25) + one_envelope_each(sessions, seq=3)
    first = SessionWriter(store, RouteTable(routes_pool)).write(batch)

    # The first worker died before its acks: the next one gets the batch again.
    again = SessionWriter(store, RouteTable(routes_pool)).write(batch)

    assert (first.stored, first.duplicates) == (RIDERS, RIDERS)
    assert (again.stored, again.duplicates) == (0, 2 * RIDERS)
    for session in sessions:
        assert stored_seqs(store, session.id) == list(range(26))


def test_a_cold_batch_that_loses_a_race_is_reloaded_and_stored_whole(
    snapshotting_store: WattlogStore,
    routes_pool: ConnectionPool,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = snapshotting_store
    raced, *never_seen = start_riders(store, RIDERS, samples=8)
    writer = SessionWriter(store, RouteTable(routes_pool))
    writer.write(one_envelope_each([raced], seq=8))  # now in this worker's memory
    # Another worker appends to it (a shard moved while this one still held it).
    SessionWriter(store, RouteTable(routes_pool)).write(one_envelope_each([raced], seq=9))

    with caplog.at_level(logging.INFO, logger="adapters.services.conflicts"):
        result = writer.write(one_envelope_each([raced, *never_seen], seq=10))

    assert "batch lost a race, re-applying" in caplog.messages
    assert result.stored == RIDERS
    assert stored_seqs(store, raced.id) == list(range(11))
    for session in never_seen:
        assert stored_seqs(store, session.id) == [*range(8), 10]


def test_routes_of_a_batch_are_asked_once_and_a_client_without_one_is_not_asked_again_at_once(
    store: WattlogStore,
    running_session: WorkoutSession,
    routes_pool: ConnectionPool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    routes = RouteTable(routes_pool)
    queries = counted(monkeypatch, routes_pool, "connection")
    unrouted = f"bridge-{uuid.uuid4().hex[:8]}"

    found = routes.get_many([running_session.client_id, unrouted, running_session.client_id])
    again = routes.get_many([unrouted, running_session.client_id])

    assert found[unrouted] is None and again[unrouted] is None
    route = found[running_session.client_id]
    assert route is not None and route.session_id == running_session.id
    assert route.owner_id == running_session.owner_id
    assert len(queries) == 1
