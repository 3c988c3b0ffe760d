"""The replay playhead, driven by a fake clock."""

from __future__ import annotations

import time
from uuid import uuid4

import orjson
import pytest

from adapters.replay.player import ReplayError, ReplayPlayer
from adapters.replay.timeline import Timeline, build_timeline
from domain.sessions import WorkoutSession

CLIENT = "bridge-test"


def _ride(seconds: int) -> Timeline:
    """One trainer sample a second for `seconds` seconds (offsets 0 .. seconds - 1)."""
    owner = uuid4()
    session = WorkoutSession.start(athlete_id=uuid4(), owner_id=owner, client_id=CLIENT, ftp_w=250)
    t0 = time.time() - seconds
    for seq in range(seconds):
        session.record_sample(CLIENT, seq, t0 + seq, "trainer", "2ad2", b"", {"power_w": 100 + seq})
    return build_timeline(session.id, session.collect_events())


def _seqs(payloads: list[bytes]) -> list[int]:
    return [m["seq"] for m in map(orjson.loads, payloads) if m["kind"] == "sample"]


def test_player_hands_out_each_event_once_at_the_recorded_time_divided_by_the_speed() -> None:
    player = ReplayPlayer(_ride(100), speed=10)
    assert _seqs(player.due(0.0)) == [0]  # the start is shown before playing
    player.play(0.0)
    assert _seqs(player.due(0.55)) == [1, 2, 3, 4, 5]  # 5.5 s of the ride in 0.55 s
    assert _seqs(player.due(0.55)) == []
    assert player.wait_s(0.55) == pytest.approx(0.05)
    assert _seqs(player.due(1.0)) == [6, 7, 8, 9, 10]


def test_player_reaches_the_end_and_stops_there() -> None:
    player = ReplayPlayer(_ride(60), speed=60)
    player.play(0.0)
    delivered = _seqs(player.due(0.5)) + _seqs(player.due(2.0))
    assert delivered == list(range(60))
    assert player.position(2.0) == player.duration_s
    assert player.at_end(2.0)
    assert not player.playing(2.0)
    assert player.wait_s(2.0) is None


def test_pause_freezes_the_position_and_play_resumes_from_it() -> None:
    player = ReplayPlayer(_ride(100), speed=2)
    player.play(0.0)
    player.pause(5.0)
    assert player.position(50.0) == 10.0
    assert player.wait_s(50.0) is None
    player.play(50.0)
    assert player.position(51.0) == 12.0


def test_a_speed_change_keeps_the_position_continuous() -> None:
    player = ReplayPlayer(_ride(200), speed=1)
    player.play(0.0)
    player.set_speed(30, 10.0)
    assert player.position(10.0) == 10.0
    assert player.position(11.0) == 40.0


def test_seek_skips_to_the_events_after_the_position() -> None:
    player = ReplayPlayer(_ride(100), speed=10)
    player.play(0.0)
    player.seek(50.0, 0.0)
    assert _seqs(player.due(0.25)) == [51, 52]
    player.seek(10.0, 0.25)  # backwards too
    assert _seqs(player.due(0.35)) == [11]


def test_play_at_the_end_starts_over() -> None:
    player = ReplayPlayer(_ride(10), speed=60)
    player.play(0.0)
    player.due(1.0)
    assert player.at_end(1.0)
    player.play(1.0)
    assert player.position(1.0) == 0.0
    # What is at 0 itself goes out with the seek's context, like after any seek.
    assert _seqs(player.due(1.05)) == [1, 2, 3]


@pytest.mark.parametrize("speed", [0.5, 601, 0])
def test_player_refuses_speeds_outside_1x_to_600x(speed: float) -> None:
    with pytest.raises(ReplayError):
        ReplayPlayer(_ride(5), speed=speed)


def test_seek_outside_the_ride_is_refused() -> None:
    player = ReplayPlayer(_ride(5))
    with pytest.raises(ReplayError):
        player.seek(10.0, 0.0)
