"""The mapper's shortcut for SampleRecorded writes exactly what the generic path writes, and
the stored event reads back as the event that was recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from eventsourcing.persistence import Mapper

from adapters.eventstore.mapper import WattlogMapper
from adapters.eventstore.transcoder import OrjsonTranscoder
from domain.events import SampleRecorded
from domain.sessions import WorkoutSession

VALUES = [
    {"power_w": 290, "cadence_rpm": 129.0, "speed_kmh": 7.3},
    {"heart_rate_bpm": 72, "sensor_contact": True, "rr_1024": [340, 748]},
    {},
]


def _sample_events(timestamp: datetime | None = None) -> list[object]:
    session = WorkoutSession.start(uuid4(), uuid4(), "desktop-1", 250)
    session.collect_events()
    for seq, values in enumerate(VALUES):
        session.record_sample("desktop-1", seq, 1.7e9 + seq, "trainer", "2ad2", b"\x00\xff", values)
    events = list(session.collect_events())
    if timestamp is not None:
        for event in events:
            object.__setattr__(event, "timestamp", timestamp)
    return events


@pytest.mark.parametrize(
    "timestamp",
    [None, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, 0, 0, 0, 1000, tzinfo=UTC)],
    ids=["now", "whole-second", "milliseconds"],
)
def test_a_sample_event_is_stored_as_the_generic_mapper_stores_it(
    timestamp: datetime | None,
) -> None:
    generic = Mapper(transcoder=OrjsonTranscoder())
    fast = WattlogMapper(transcoder=OrjsonTranscoder())
    for event in _sample_events(timestamp):
        assert type(event) is SampleRecorded
        assert fast.to_stored_event(event) == generic.to_stored_event(event)


def test_a_stored_sample_event_reads_back_as_the_recorded_event() -> None:
    mapper = WattlogMapper(transcoder=OrjsonTranscoder())
    for event in _sample_events():
        assert mapper.to_domain_event(mapper.to_stored_event(event)) == event


def test_a_timestamp_in_another_zone_takes_the_generic_path_and_keeps_its_offset() -> None:
    (event, *_) = _sample_events(datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2))))
    mapper = WattlogMapper(transcoder=OrjsonTranscoder())
    stored = mapper.to_stored_event(event)
    assert stored == Mapper(transcoder=OrjsonTranscoder()).to_stored_event(event)
    assert b"2026-01-01T00:00:00+02:00" in stored.state


def test_the_sessions_fast_path_event_is_stored_as_the_library_path_event() -> None:
    """`record_sample` builds its event itself (domain/sessions.py); the library's own
    `@event` method `_record_sample` builds the same, stored to the same bytes."""
    session = WorkoutSession.start(uuid4(), uuid4(), "desktop-1", 250)
    session.collect_events()
    fields = {
        "client_id": "desktop-1",
        "device_time": 1.7e9,
        "sensor_id": "trainer",
        "characteristic": "2ad2",
        "raw": b"\x00\xff",
        "values": VALUES[0],
        "imported": False,
    }
    session.record_sample(seq=0, **fields)
    session._record_sample(seq=0, **fields)  # the library path (only the events are compared)
    fast, library = session.collect_events()
    object.__setattr__(library, "timestamp", fast.timestamp)
    object.__setattr__(library, "originator_version", fast.originator_version)
    mapper = WattlogMapper(transcoder=OrjsonTranscoder())
    generic = Mapper(transcoder=OrjsonTranscoder())

    assert mapper.to_stored_event(fast) == generic.to_stored_event(library)
    assert mapper.to_domain_event(mapper.to_stored_event(fast)) == library
