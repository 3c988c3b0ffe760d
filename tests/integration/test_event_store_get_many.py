"""Many sessions loaded together (`WattlogStore.get_many`, the ingest worker's cold start)
are the sessions the library's own `repository.get` rebuilds, one by one: from the latest
snapshot and the events after it, or from every event when there is no snapshot."""

from __future__ import annotations

import uuid

import pytest
from eventsourcing.application import AggregateNotFoundError

from adapters.eventstore import WattlogStore, application
from domain.sessions import WorkoutSession


def ridden(store: WattlogStore, samples: int, *, command_at: int | None = None) -> WorkoutSession:
    """A started session that recorded ``samples`` samples, saved after each (so that the
    store snapshots it at every multiple of the interval)."""
    client_id = f"bridge-{uuid.uuid4().hex[:8]}"
    session = WorkoutSession.start(uuid.uuid4(), uuid.uuid4(), client_id, 250)
    for seq in range(samples):
        if seq == command_at:
            session.issue_command(uuid.uuid4(), "target_power", 210, uuid.uuid4())
        values = {"power_w": 150 + seq, "cadence_rpm": 90.0}
        session.record_sample(client_id, seq, 1.7e9 + seq, "trainer", "2ad2", b"\x01", values)
        store.save(session)
    store.save(session)
    return session


def snapshot_versions(store: WattlogStore, session_id: uuid.UUID) -> list[int]:
    assert store.snapshots is not None
    return [snapshot.originator_version for snapshot in store.snapshots.get(session_id)]


def test_sessions_loaded_together_equal_the_librarys_own_load_with_and_without_snapshots(
    snapshotting_store: WattlogStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = snapshotting_store
    just_started = ridden(store, 0)
    no_snapshot_yet = ridden(store, 7)  # version 8
    snapshot_at_its_head = ridden(store, 19)  # version 20
    events_after_its_snapshot = ridden(store, 26, command_at=12)  # version 28
    sessions = [just_started, no_snapshot_yet, snapshot_at_its_head, events_after_its_snapshot]
    assert [snapshot_versions(store, s.id) for s in sessions] == [[], [], [10, 20], [10, 20]]
    assert events_after_its_snapshot.version == 28
    # Two sessions per pair of queries: the chunks' seams are crossed too.
    monkeypatch.setattr(application, "LOAD_CHUNK", 2)

    loaded = store.get_many(session.id for session in reversed(sessions))

    assert list(loaded) == [session.id for session in reversed(sessions)]
    for session in sessions:
        by_the_library = store.repository.get(session.id)
        assert type(loaded[session.id]) is WorkoutSession
        assert vars(loaded[session.id]) == vars(by_the_library)
    assert loaded[events_after_its_snapshot.id].sample_count == 26
    assert loaded[just_started.id].version == 1


def test_loading_together_a_session_that_does_not_exist_fails_as_the_library_does(
    snapshotting_store: WattlogStore,
) -> None:
    existing = ridden(snapshotting_store, 2)
    unknown = uuid.uuid4()
    with pytest.raises(AggregateNotFoundError):
        snapshotting_store.repository.get(unknown)

    with pytest.raises(AggregateNotFoundError):
        snapshotting_store.get_many([existing.id, unknown])
