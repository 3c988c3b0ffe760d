"""The replay socket's messages from the client, parsed into typed controls.

First message (with the ticket, see `adapters.http.handshake`):
  {"type": "auth", "ticket": "...", "session_id": "...",
   "speed": 10, "position_s": 0, "play": false, "skip_pauses": false}   all but ticket,
                                                                       session_id optional
Then any of:
  {"type": "play"} | {"type": "pause"} | {"type": "speed", "speed": 30}
  {"type": "skip_pauses", "skip": true}       jump over the ride's silences (player.py)
  {"type": "seek", "position_s": 754.5, "context_s": 300}  context_s optional
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson

from adapters.replay.player import MAX_SPEED, MIN_SPEED

DEFAULT_CONTEXT_S = 300.0
MAX_CONTEXT_S = 3600.0


class BadControl(ValueError):
    """A message the replay socket does not understand."""


@dataclass(frozen=True)
class Opening:
    session_id: UUID
    speed: float
    position_s: float
    play: bool
    skip_pauses: bool = False


@dataclass(frozen=True)
class Play:
    pass


@dataclass(frozen=True)
class Pause:
    pass


@dataclass(frozen=True)
class Speed:
    speed: float


@dataclass(frozen=True)
class Seek:
    position_s: float
    context_s: float


@dataclass(frozen=True)
class SkipPauses:
    skip: bool


Control = Play | Pause | Speed | Seek | SkipPauses


def _flag(message: dict[str, Any], name: str) -> bool:
    value = message.get(name, False)
    if not isinstance(value, bool):
        raise BadControl(f"{name} must be true or false")
    return value


def _number(message: dict[str, Any], name: str, default: float | None = None) -> float:
    value = message.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadControl(f"{name} must be a number")
    return float(value)


def _speed(message: dict[str, Any]) -> float:
    speed = _number(message, "speed", 1.0)
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise BadControl(f"speed must be within {MIN_SPEED:g}..{MAX_SPEED:g}")
    return speed


def parse_opening(hello: dict[str, Any]) -> Opening:
    raw_id = hello.get("session_id")
    try:
        session_id = UUID(raw_id) if isinstance(raw_id, str) else None
    except ValueError:
        session_id = None
    if session_id is None:
        raise BadControl("session_id must be a session's id")
    position = _number(hello, "position_s", 0.0)
    if position < 0:
        raise BadControl("position_s must be 0 or more")
    return Opening(
        session_id, _speed(hello), position, _flag(hello, "play"), _flag(hello, "skip_pauses")
    )


def parse_control(text: str) -> Control:
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise BadControl("send JSON objects") from None
    if not isinstance(message, dict):
        raise BadControl("send JSON objects")
    kind = message.get("type")
    if kind == "play":
        return Play()
    if kind == "pause":
        return Pause()
    if kind == "speed":
        return Speed(_speed(message))
    if kind == "seek":
        position = _number(message, "position_s")
        context = _number(message, "context_s", DEFAULT_CONTEXT_S)
        if not 0 <= context <= MAX_CONTEXT_S:
            raise BadControl(f"context_s must be within 0..{MAX_CONTEXT_S:g}")
        return Seek(position, context)
    if kind == "skip_pauses":
        return SkipPauses(_flag(message, "skip"))
    raise BadControl("type must be play, pause, speed, seek or skip_pauses")
