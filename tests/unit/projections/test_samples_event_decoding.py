"""The samples projection's shortcut decoder reads the same fields as the library's mapper."""

from __future__ import annotations

import uuid

from eventsourcing.persistence import Mapper, Notification

from adapters.eventstore.transcoder import OrjsonTranscoder
from domain.sessions import WorkoutSession
from projections.samples.events import _slim, decode


def test_the_shortcut_decoder_gives_what_the_mapper_gives_for_every_session_event() -> None:
    session = WorkoutSession.start(uuid.uuid4(), uuid.uuid4(), "bridge-a", 275)
    session.record_sample("bridge-a", 0, 1.7e9, "trainer", "2ad2", b"\x44\x02", {"power_w": 210})
    session.record_sample(
        "bridge-a", 1, 1.7e9 + 0.25, "strap", "2a37", b"\x16", {"rr_1024": [700, 710]}, True
    )
    session.finish()
    mapper: Mapper[uuid.UUID] = Mapper(transcoder=OrjsonTranscoder())
    notifications = [
        Notification(
            id=position,
            originator_id=stored.originator_id,
            originator_version=stored.originator_version,
            topic=stored.topic,
            state=stored.state,
        )
        for position, stored in enumerate(
            (mapper.to_stored_event(e) for e in session.collect_events()), start=1
        )
    ]

    shortcut = decode(mapper, notifications)

    assert [e.event for e in shortcut] == [_slim(mapper.to_domain_event(n)) for n in notifications]
    assert [e.kind for e in shortcut] == ["Started", "SampleRecorded", "SampleRecorded", "Finished"]
    assert shortcut[2].event.values == {"rr_1024": [700, 710]}
    assert shortcut[2].event.imported is True
