"""`record_sample` builds its SampleRecorded without the library's `trigger_event`: the event,
the session it leaves behind and what a replay or a snapshot makes of it are exactly those of
the library's own path (the `@event` method `_record_sample`). How it is stored:
tests/unit/eventstore/test_sample_event_mapping.py."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import eventsourcing.domain
import pytest
from eventsourcing.domain import Snapshot

from domain.events import SampleRecorded
from domain.sessions import WorkoutSession

STARTED = datetime(2026, 12, 6, 12, 0, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 6, 12, 0, 5, 250_000, tzinfo=UTC)
SAMPLES: list[dict[str, Any]] = [
    {
        "client_id": "desktop-1",
        "seq": seq,
        "device_time": 1.7e9 + seq,
        "sensor_id": sensor,
        "characteristic": characteristic,
        "raw": raw,
        "values": values,
        "imported": imported,
    }
    for seq, (sensor, characteristic, raw, values, imported) in enumerate(
        [
            ("trainer", "2ad2", b"\x44\x02\xda", {"power_w": 290, "cadence_rpm": 90.5}, False),
            ("hr-strap", "2a37", b"\x16\x8c", {"heart_rate_bpm": 140, "rr_1024": [800]}, False),
            ("power-meter", "2a63", b"", {"power_w": 0, "contact": True}, True),
            ("trainer", "2ad2", b"\x00" * 512, {}, False),
        ]
    )
]


CLOCK = [STARTED]


@pytest.fixture(autouse=True)
def _one_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # Both paths stamp their events with the library's clock: fixed instants here.
    CLOCK[0] = STARTED
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", lambda: CLOCK[0])


def _twins() -> tuple[WorkoutSession, WorkoutSession]:
    """Two sessions in the same state: started by the same event; samples come later."""
    session = WorkoutSession.start(uuid4(), uuid4(), "desktop-1", 250, session_id=uuid4())
    (started,) = session.collect_events()
    CLOCK[0] = NOW
    first, second = started.mutate(None), started.mutate(None)
    assert isinstance(first, WorkoutSession) and isinstance(second, WorkoutSession)
    return first, second


def _by_both_paths() -> tuple[WorkoutSession, list[Any], WorkoutSession, list[Any]]:
    fast, library = _twins()
    for sample in SAMPLES:
        assert fast.record_sample(**sample)
        library._record_sample(**sample)
    return fast, list(fast.collect_events()), library, list(library.collect_events())


def test_the_fast_path_makes_the_event_the_library_makes() -> None:
    _, fast_events, _, library_events = _by_both_paths()

    assert len(fast_events) == len(library_events) == len(SAMPLES)
    for fast, library in zip(fast_events, library_events, strict=True):
        assert type(fast) is type(library) is SampleRecorded
        assert fast == library
        assert list(vars(fast).items()) == list(vars(library).items())  # same fields, order


def test_the_fast_path_leaves_the_session_as_the_library_leaves_it() -> None:
    fast, _, library, _ = _by_both_paths()

    assert vars(fast) == vars(library)
    assert fast.version == library.version == 1 + len(SAMPLES)
    assert fast.modified_on == library.modified_on == NOW
    assert fast.created_on == STARTED


def test_the_fast_path_event_is_frozen_like_the_library_event() -> None:
    _, (event, *_), _, _ = _by_both_paths()

    with pytest.raises(dataclasses.FrozenInstanceError):
        event.seq = 99


def test_a_session_replayed_from_fast_path_events_equals_the_original() -> None:
    session = WorkoutSession.start(uuid4(), uuid4(), "desktop-1", 250)
    for sample in SAMPLES:
        session.record_sample(**sample)

    replayed = None
    for event in session.collect_events():
        replayed = event.mutate(replayed)

    assert replayed == session
    assert isinstance(replayed, WorkoutSession)
    assert not replayed.record_sample(**SAMPLES[0])  # dedup survives the replay


def test_a_snapshot_after_fast_path_events_restores_the_session() -> None:
    fast, _ = _twins()
    for sample in SAMPLES:
        fast.record_sample(**sample)
    fast.collect_events()

    restored = Snapshot.take(fast).mutate(None)

    assert restored == fast
    assert restored.sample_count == len(SAMPLES)
    assert restored.record_sample(**{**SAMPLES[0], "seq": len(SAMPLES)})
