"""A WorkoutSession rebuilt from its events or a snapshot behaves like the original."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID, uuid4

import orjson
from eventsourcing.application import Application
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.sessions import WorkoutSession


class BytesAsHex(Transcoding):
    """Sample events carry the raw BLE payload, which JSON cannot hold as is."""

    type = bytes
    name = "bytes_hex"

    def encode(self, obj: bytes) -> str:
        return obj.hex()

    def decode(self, data: str) -> bytes:
        return bytes.fromhex(data)


class SessionStore(Application[UUID]):
    snapshotting_intervals = {WorkoutSession: 50}

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(BytesAsHex())


def ride(session: WorkoutSession, record: Any) -> UUID:
    """A ride with an outage backlog, a switch, commands, laps and a pause.

    Returns the id of a command still pending at the end.
    """
    coach = uuid4()
    desktop = session.client_id
    for seq in [*range(30, 60), *range(0, 25)]:  # live first, then part of the backlog
        record(session, seq)
    answered, failed, pending = uuid4(), uuid4(), uuid4()
    session.issue_command(answered, "target_power", 220, issued_by=coach)
    session.issue_command(failed, "slope", 3, issued_by=coach)
    session.acknowledge_command(answered, 1)
    session.acknowledge_command(failed, 5)
    session.mark_lap(at_device_time=1010.0)
    session.pause()
    session.resume()
    session.switch_transport("phone", "phone-12")
    for seq in range(20):
        record(session, seq, client_id="phone-12", characteristic="2a37")
    record(session, 60, client_id=desktop)  # in flight from the old transport
    session.issue_command(pending, "target_power", 180, issued_by=coach)
    return pending


def rebuild(events: Sequence[Any]) -> WorkoutSession:
    rebuilt: WorkoutSession | None = None
    for domain_event in events:
        rebuilt = domain_event.mutate(rebuilt)
    assert isinstance(rebuilt, WorkoutSession)
    return rebuilt


def summary(session: WorkoutSession) -> dict[str, Any]:
    return {
        "status": session.status,
        "transport": session.transport,
        "client_ids": session.client_ids,
        "athlete_id": session.athlete_id,
        "owner_id": session.owner_id,
        "ftp_w": session.ftp_w,
        "samples": session.sample_count,
        "by_characteristic": session.samples_by_characteristic,
        "device_times": (session.first_device_time, session.last_device_time),
        "laps": session.lap_count,
        "commands": (
            session.commands_issued,
            session.commands_acknowledged,
            session.commands_failed,
        ),
        "pending": session.pending_command_ids,
        "desktop_ranges": session.recorded_seq_ranges(session.client_ids[0]),
        "phone_ranges": session.recorded_seq_ranges("phone-12"),
        "started_at": session.started_at,
        "ended_at": session.ended_at,
    }


def test_session_rebuilt_from_its_events_has_the_same_state(
    unsaved_session: WorkoutSession, record: Any
) -> None:
    original = unsaved_session
    ride(original, record)
    original.finish()

    rebuilt = rebuild(original.collect_events())

    assert rebuilt == original
    assert summary(rebuilt) == summary(original)
    assert summary(rebuilt)["desktop_ranges"] == [[0, 24], [30, 60]]
    assert summary(rebuilt)["phone_ranges"] == [[0, 19]]


def test_session_rebuilt_from_its_events_keeps_the_workout(
    athlete_id: UUID, owner_id: UUID
) -> None:
    workout = {"name": "SST", "steps": [{"seconds": 1200, "ftp_fraction": 0.9}]}
    original = WorkoutSession.start(athlete_id, owner_id, "desk-1", 250, workout=workout)

    rebuilt = rebuild(original.collect_events())

    assert rebuilt.workout == workout


def test_session_rebuilt_from_its_events_keeps_dedup_and_pending_commands(
    unsaved_session: WorkoutSession, record: Any
) -> None:
    pending = ride(unsaved_session, record)

    rebuilt = rebuild(unsaved_session.collect_events())

    assert not record(rebuilt, 10)  # already recorded from the desktop
    assert record(rebuilt, 27)  # the rest of the backlog is still welcome
    assert rebuilt.acknowledge_command(pending, 1)


def test_session_rebuilt_from_events_with_uuids_as_text_keeps_its_identity(
    unsaved_session: WorkoutSession, record: Any
) -> None:
    """The event store's orjson encoder writes UUIDs in payloads as plain strings."""
    original = unsaved_session
    pending = ride(original, record)
    id_fields = ("athlete_id", "owner_id", "command_id", "issued_by")
    as_text = [
        dataclasses.replace(
            cast(Any, e), **{f: str(v) for f, v in vars(e).items() if f in id_fields}
        )
        for e in original.collect_events()
    ]

    rebuilt = rebuild(as_text)

    assert summary(rebuilt) == summary(original)
    assert rebuilt.acknowledge_command(pending, 1)


def test_session_restored_from_a_json_snapshot_keeps_dedup_and_counts(
    session: WorkoutSession, record: Any
) -> None:
    pending = ride(session, record)
    session.collect_events()
    snapshot = Snapshot.take(session)
    state = dict(snapshot.state)
    # The base class's timestamps are the transcoder's business; everything the session
    # adds must survive a plain JSON round trip.
    timestamps = {key: state.pop(key) for key in ("_created_on", "_modified_on")}
    decoded = orjson.loads(orjson.dumps(state)) | timestamps

    restored = Snapshot(
        originator_id=snapshot.originator_id,
        originator_version=snapshot.originator_version,
        timestamp=snapshot.timestamp,
        topic=snapshot.topic,
        state=decoded,
    ).mutate(None)

    assert isinstance(restored, WorkoutSession)
    assert summary(restored) == summary(session)
    assert not record(restored, 0, client_id="phone-12")
    assert record(restored, 20, client_id="phone-12")
    assert restored.acknowledge_command(pending, 1)


def test_session_loaded_from_an_application_with_snapshots_matches_the_original(
    unsaved_session: WorkoutSession, record: Any
) -> None:
    store = SessionStore(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    original = unsaved_session
    pending = ride(original, record)
    store.save(original)
    for seq in range(61, 200):
        record(original, seq)
    original.finish()
    store.save(original)

    loaded: object = store.repository.get(original.id)

    assert store.snapshots is not None
    assert list(store.snapshots.get(original.id))  # loading started from a snapshot
    assert isinstance(loaded, WorkoutSession)
    assert summary(loaded) == summary(original)
    assert isinstance(loaded.ended_at, datetime)
    assert loaded.acknowledge_command(pending, 4)
    assert not record(loaded, 150)
