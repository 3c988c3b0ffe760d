"""What recorded a ride (an imported file's sport, sub-sport and device)."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import InvalidSession, SessionAlreadyEnded
from domain.sessions import WorkoutSession

DEVICE = {
    "manufacturer": "garmin",
    "product": "edge810",
    "serial_number": 1,
    "software_version": 2.7,
}


def test_a_described_recording_is_read_back_and_survives_a_replay(
    unsaved_session: WorkoutSession,
) -> None:
    unsaved_session.describe_recording(sport="cycling", sub_sport="road", device=DEVICE)

    events = unsaved_session.collect_events()
    assert [type(e).__name__ for e in events] == ["Started", "RecordingDescribed"]
    replayed: Any = None
    for stored in events:
        replayed = stored.mutate(replayed)
    expected = {"sport": "cycling", "sub_sport": "road", "device": DEVICE}
    assert unsaved_session.recording == expected
    assert replayed.recording == expected


@pytest.mark.parametrize(
    ("sport", "sub_sport", "device"),
    [
        (7, None, {}),
        ("cycling", "x" * 65, {}),
        ("cycling", None, {"when": object()}),
        ("cycling", None, {"notes": "x" * 600}),
    ],
)
def test_a_bad_recording_description_is_refused(
    session: WorkoutSession, sport: Any, sub_sport: Any, device: Any
) -> None:
    with pytest.raises(InvalidSession):
        session.describe_recording(sport=sport, sub_sport=sub_sport, device=device)
    assert session.collect_events() == []
    assert session.recording is None


def test_an_ended_ride_cannot_be_described(session: WorkoutSession) -> None:
    session.finish()
    with pytest.raises(SessionAlreadyEnded):
        session.describe_recording(sport="cycling", sub_sport=None, device={})
