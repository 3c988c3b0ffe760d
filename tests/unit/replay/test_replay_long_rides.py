"""Replaying long rides: speeds up to 600x, and skipping the silences where the rider
stopped (a fake clock drives the player)."""

from __future__ import annotations

import time
from uuid import uuid4

import orjson
import pytest

from adapters.replay.player import MAX_SPEED, ReplayError, ReplayPlayer
from adapters.replay.protocol import BadControl, SkipPauses, parse_control, parse_opening
from adapters.replay.timeline import Timeline, build_timeline
from domain.sessions import WorkoutSession

CLIENT = "bridge-test"


def _ride_with_a_stop(before_s: int, stop_s: int, after_s: int) -> Timeline:
    """A sample a second for `before_s` s, nothing for `stop_s` s, then `after_s` s more."""
    owner = uuid4()
    session = WorkoutSession.start(athlete_id=uuid4(), owner_id=owner, client_id=CLIENT, ftp_w=250)
    t0 = float(int(time.time()) - before_s - stop_s - after_s)  # whole seconds: exact offsets
    seconds = [*range(before_s), *range(before_s + stop_s, before_s + stop_s + after_s)]
    for seq, second in enumerate(seconds):
        session.record_sample(CLIENT, seq, t0 + second, "trainer", "2ad2", b"", {"power_w": 200})
    return build_timeline(session.id, session.collect_events())


def _seqs(payloads: list[bytes]) -> list[int]:
    return [m["seq"] for m in map(orjson.loads, payloads) if m["kind"] == "sample"]


def test_a_six_and_a_half_hour_ride_plays_in_39_seconds_at_the_top_speed() -> None:
    player = ReplayPlayer(_ride_with_a_stop(23_400, 0, 0), speed=MAX_SPEED)
    player.play(0.0)

    assert MAX_SPEED == 600
    assert player.position(39.0) == player.duration_s == 23_399
    assert len(_seqs(player.due(39.0))) == 23_400


def test_a_speed_above_the_top_one_is_refused() -> None:
    with pytest.raises(ReplayError):
        ReplayPlayer(_ride_with_a_stop(10, 0, 0), speed=MAX_SPEED + 1)


def test_skipping_pauses_jumps_over_a_stop_to_the_next_sample() -> None:
    player = ReplayPlayer(_ride_with_a_stop(10, 3_000, 10), speed=1)
    player.set_skip_pauses(True, 0.0)
    player.play(0.0)

    assert _seqs(player.due(9.5)) == list(range(10))  # the ride before the stop, as recorded
    assert player.wait_s(9.5) == 0.0  # the next sample is due now, not in 3000 s
    assert _seqs(player.due(9.5)) == [10]
    assert player.position(9.5) == 3_010  # on the ride's clock: the stop is behind
    assert _seqs(player.due(19.5)) == list(range(11, 20))


def test_without_skipping_the_stop_is_played_in_full() -> None:
    player = ReplayPlayer(_ride_with_a_stop(10, 3_000, 10), speed=1)
    player.play(0.0)

    assert _seqs(player.due(9.5)) == list(range(10))
    assert player.wait_s(9.5) == pytest.approx(3_000.5)
    assert _seqs(player.due(1_000.0)) == []


def test_a_short_gap_is_not_skipped() -> None:
    player = ReplayPlayer(_ride_with_a_stop(10, 5, 10), speed=1)
    player.set_skip_pauses(True, 0.0)
    player.play(0.0)

    assert _seqs(player.due(9.5)) == list(range(10))
    assert player.wait_s(9.5) == pytest.approx(5.5)


def test_skip_pauses_is_a_control_and_an_opening_option() -> None:
    opening = parse_opening({"session_id": str(uuid4()), "skip_pauses": True, "speed": 600})

    assert (opening.skip_pauses, opening.speed) == (True, 600.0)
    assert parse_control('{"type": "skip_pauses", "skip": false}') == SkipPauses(False)
    with pytest.raises(BadControl):
        parse_control('{"type": "skip_pauses", "skip": "yes"}')
