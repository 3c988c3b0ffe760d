"""The replay socket's client messages."""

from __future__ import annotations

from uuid import uuid4

import pytest

from adapters.replay.protocol import (
    DEFAULT_CONTEXT_S,
    BadControl,
    Pause,
    Play,
    Seek,
    Speed,
    parse_control,
    parse_opening,
)


def test_opening_names_the_session_and_defaults_to_paused_at_the_start_at_1x() -> None:
    session_id = uuid4()
    opening = parse_opening({"type": "auth", "ticket": "x", "session_id": str(session_id)})
    assert (opening.session_id, opening.speed, opening.position_s, opening.play) == (
        session_id,
        1.0,
        0.0,
        False,
    )


def test_opening_takes_speed_position_and_play() -> None:
    opening = parse_opening(
        {"session_id": str(uuid4()), "speed": 10, "position_s": 30.5, "play": True}
    )
    assert (opening.speed, opening.position_s, opening.play) == (10.0, 30.5, True)


@pytest.mark.parametrize(
    "hello",
    [
        {},
        {"session_id": "not-a-uuid"},
        {"session_id": str(uuid4()), "speed": 1000},
        {"session_id": str(uuid4()), "speed": "fast"},
        {"session_id": str(uuid4()), "position_s": -1},
        {"session_id": str(uuid4()), "play": "yes"},
    ],
)
def test_opening_refuses_what_it_cannot_follow(hello: dict[str, object]) -> None:
    with pytest.raises(BadControl):
        parse_opening(hello)


def test_controls_are_parsed_into_their_types() -> None:
    assert parse_control('{"type": "play"}') == Play()
    assert parse_control('{"type": "pause"}') == Pause()
    assert parse_control('{"type": "speed", "speed": 60}') == Speed(60.0)
    assert parse_control('{"type": "seek", "position_s": 12}') == Seek(12.0, DEFAULT_CONTEXT_S)
    assert parse_control('{"type": "seek", "position_s": 12, "context_s": 0}') == Seek(12.0, 0.0)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"type": "rewind"}',
        '{"type": "speed", "speed": 0.5}',
        '{"type": "seek"}',
        '{"type": "seek", "position_s": true}',
        '{"type": "seek", "position_s": 1, "context_s": 99999}',
    ],
)
def test_controls_that_are_not_understood_are_refused(text: str) -> None:
    with pytest.raises(BadControl):
        parse_control(text)
