"""The replay timeline: stored session events as live messages on the ride's own clock."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import orjson
import pytest

from adapters.replay.timeline import build_timeline, place, stored_item
from domain.sessions import WorkoutSession

OWNER = uuid4()
CLIENT = "bridge-test"


def _session() -> WorkoutSession:
    return WorkoutSession.start(athlete_id=uuid4(), owner_id=OWNER, client_id=CLIENT, ftp_w=250)


def _sample(session: WorkoutSession, seq: int, t: float, watts: int = 200) -> None:
    session.record_sample(CLIENT, seq, t, "trainer", "2ad2", b"", {"power_w": watts})


def _messages(events: list[Any]) -> list[dict[str, Any]]:
    messages = [stored_item(event) for event in events]
    place(messages)
    return messages


def test_a_stored_item_has_the_relays_shape_with_the_version_instead_of_a_notification_id() -> None:
    session = _session()
    _sample(session, 0, 1_700_000_000.0, watts=231)
    started, sample = session.collect_events()
    message = stored_item(sample)
    assert message["kind"] == "sample"
    assert message["values"] == {"power_w": 231}
    assert message["t"] == 1_700_000_000.0
    assert message["seq"] == 0
    assert message["session_id"] == str(session.id)
    assert message["version"] == sample.originator_version
    assert "n" not in message
    assert stored_item(started)["event"] == "Started"


def test_commands_land_between_their_samples_when_the_bridge_clock_is_an_hour_behind() -> None:
    session = _session()
    behind = time.time() - 3600
    _sample(session, 0, behind)
    events = session.collect_events()
    time.sleep(0.02)
    session.issue_command(uuid4(), "target_power", 250, uuid4())
    events += session.collect_events()
    time.sleep(0.02)
    _sample(session, 1, behind + 0.04)
    events += session.collect_events()
    messages = _messages(events)
    first, command, second = messages[1], messages[2], messages[3]
    assert command["kind"] == "command"
    assert first["ride_t"] <= command["ride_t"] <= second["ride_t"]
    assert abs(command["ride_t"] - (behind + 0.02)) < 0.015


def test_a_ride_stored_all_at_once_keeps_start_and_finish_at_its_ends() -> None:
    # An imported ride: every sample stored long after it was recorded.
    session = _session()
    t0 = time.time() - 7 * 24 * 3600
    for seq in range(10):
        _sample(session, seq, t0 + seq)
    session.finish()
    timeline = build_timeline(session.id, session.collect_events())
    assert timeline.start_t == t0
    assert timeline.duration_s == pytest.approx(9.0, abs=0.01)
    last = orjson.loads(timeline.payloads[-1])
    assert last["event"] == "Finished"
    assert timeline.offsets[0] == 0.0


def test_timeline_orders_events_by_ride_time_even_when_stored_out_of_order() -> None:
    session = _session()
    t0 = time.time()
    for seq, offset in enumerate((0.0, 2.0, 1.0, 3.0)):  # seq 2 arrived late
        _sample(session, seq, t0 + offset)
    timeline = build_timeline(session.id, session.collect_events())
    assert timeline.offsets == sorted(timeline.offsets)
    seqs = [orjson.loads(p).get("seq") for p in timeline.payloads]
    assert [s for s in seqs if s is not None] == [0, 2, 1, 3]


def test_context_after_a_seek_keeps_the_erg_target_set_before_the_window() -> None:
    session = _session()
    t0 = time.time() - 1000
    _sample(session, 0, t0)
    session.issue_command(uuid4(), "target_power", 280, uuid4())
    for seq in range(1, 600):
        _sample(session, seq, t0 + seq)
    timeline = build_timeline(session.id, session.collect_events())
    context = [orjson.loads(p) for p in timeline.context(500.0, 60.0)]
    commands = [m for m in context if m["kind"] == "command"]
    assert [c["value"] for c in commands] == [280]
    assert any(m.get("event") == "Started" for m in context)
    samples = [m for m in context if m["kind"] == "sample"]
    assert min(m["ride_t"] for m in samples) >= t0 + 440
    assert max(m["ride_t"] for m in samples) <= t0 + 500


def test_context_is_empty_of_samples_after_the_position() -> None:
    session = _session()
    t0 = time.time()
    for seq in range(20):
        _sample(session, seq, t0 + seq)
    timeline = build_timeline(session.id, session.collect_events())
    context = [orjson.loads(p) for p in timeline.context(5.0, 300.0)]
    assert max(m["ride_t"] for m in context) <= t0 + 5.0
    assert timeline.index_after(5.0) == len(context)


def test_a_session_without_samples_has_an_empty_ride_clock() -> None:
    session = _session()
    session.finish()
    timeline = build_timeline(session.id, session.collect_events())
    assert timeline.clock_offset_s is None
    assert len(timeline) == 2
    assert isinstance(timeline.session_id, UUID)


def _imported_ride(t0: float, seconds: int) -> WorkoutSession:
    """As `wattlog import` stores a file: started at its first record, its samples, what
    recorded it, a lap from the file, finished at its last record; all years later."""
    session = WorkoutSession.start(
        athlete_id=uuid4(),
        owner_id=OWNER,
        client_id="import-test",
        ftp_w=250,
        transport="import",
        started_at=datetime.fromtimestamp(t0, UTC),
    )
    for seq in range(seconds):
        session.record_sample(
            "import-test", seq, t0 + seq, "record", "fit", b"", {"power_w": 200.0}, imported=True
        )
    session.describe_recording(sport="cycling", sub_sport=None, device={"product": "edge810"})
    session.mark_lap(at_device_time=t0 + 4)
    session.finish()
    return session


def test_every_event_of_an_imported_ride_is_on_the_files_clock() -> None:
    t0 = 1_376_667_310.0  # 2013: the samples are stored about thirteen years later
    session = _imported_ride(t0, 10)
    timeline = build_timeline(session.id, session.collect_events())
    placed = {
        m["event"]: m["ride_t"] - t0
        for m in map(orjson.loads, timeline.payloads)
        if m["kind"] == "status"
    }
    assert placed == {"Started": 0.0, "RecordingDescribed": 9.0, "LapMarked": 4.0, "Finished": 9.0}
    assert timeline.start_t == t0
    assert timeline.duration_s == 9.0
    assert orjson.loads(timeline.payloads[-1])["event"] == "Finished"


def test_a_page_of_an_imported_ride_without_its_start_is_on_the_files_clock_too() -> None:
    t0 = 1_376_667_310.0
    events = _imported_ride(t0, 10).collect_events()
    later = [stored_item(event) for event in events[5:]]  # as GET .../events pages them
    place(later, imported=True)
    assert all(t0 + 4 <= m["ride_t"] <= t0 + 9 for m in later), [m["ride_t"] - t0 for m in later]
