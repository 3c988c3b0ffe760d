"""The event store keeps every field of every event exactly, and snapshots change nothing
about the state a session is rebuilt with."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import reduce

from adapters.eventstore import WattlogStore
from adapters.settings import Settings
from domain.sessions import WorkoutSession


def test_a_sample_comes_back_from_the_store_with_its_raw_bytes_and_typed_fields(
    store: WattlogStore,
) -> None:
    session = WorkoutSession.start(uuid.uuid4(), uuid.uuid4(), "bridge-x", 250)
    raw = bytes(range(0, 40))
    session.record_sample("bridge-x", 7, 1.7e9, "strap", "2a37", raw, {"rr_1024": [800, 810]})
    store.save(session)

    started, recorded = store.events.get(session.id)
    assert isinstance(started.athlete_id, uuid.UUID)
    assert recorded.raw == raw
    assert recorded.values == {"rr_1024": [800, 810]}
    assert isinstance(recorded.timestamp, datetime)
    assert recorded.timestamp >= started.timestamp


def test_a_session_loaded_through_snapshots_equals_one_replayed_from_every_event(
    settings: Settings,
) -> None:
    store = WattlogStore(settings.replace(snapshot_interval=100))
    session = WorkoutSession.start(uuid.uuid4(), uuid.uuid4(), "bridge-s", 250)
    for seq in range(1, 1234):
        if seq % 97 == 0:
            session.issue_command(uuid.uuid4(), "target_power", 200, uuid.uuid4())
        session.record_sample("bridge-s", seq, 1.7e9 + seq, "t", "2ad2", b"\x00", {"power_w": seq})
        if seq % 50 == 0:
            store.save(session)
    store.save(session)

    snapshots = list(store.snapshots.get(session.id)) if store.snapshots else []
    assert len(snapshots) >= 10
    loaded = store.repository.get(session.id)
    replayed = reduce(lambda agg, event: event.mutate(agg), store.events.get(session.id), None)
    assert vars(loaded) == vars(replayed)
    assert loaded.sample_count == 1233
    store.close()


def test_a_very_large_save_is_stored_whole_with_its_notification_ids_in_order(
    store: WattlogStore,
) -> None:
    # An imported 8-hour ride in one transaction: several megabytes of event state.
    session = WorkoutSession.start(uuid.uuid4(), uuid.uuid4(), "bridge-big", 250)
    values = {"power_w": 200, "heart_rate_bpm": 150, "speed_kmh": 31.2, "distance_m": 1234.5}
    for seq in range(30_000):
        session.record_sample("bridge-big", seq, 1.7e9 + seq, "fit", "fit", bytes(60), values)

    recordings = store.save(session)

    ids = [recording.notification.id for recording in recordings]
    assert len(ids) == 30_001
    assert ids == list(range(ids[0], ids[0] + 30_001))
    assert store.repository.get(session.id).sample_count == 30_000
