"""A trainer command, as the relay encodes it for `ble.commands.<client id>` and the bridge
parses it: `{"v": 1, "command_id", "session_id", "kind", "value", "issued_at"}`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson

from wire.limits import COMMAND_VERSION, ResultCode


class CommandRejected(ValueError):
    """A command body that cannot be applied; `result_code` is what to acknowledge."""

    def __init__(self, reason: str, command_id: UUID | None, result_code: int) -> None:
        super().__init__(reason)
        self.command_id = command_id
        self.result_code = result_code


@dataclass(frozen=True)
class TrainerCommand:
    command_id: UUID
    session_id: str
    kind: str
    value: float | None
    issued_at: float


def encode_command(
    command_id: UUID, session_id: UUID, kind: str, value: float | None, issued_at: float
) -> bytes:
    return orjson.dumps(
        {
            "v": COMMAND_VERSION,
            "command_id": str(command_id),
            "session_id": str(session_id),
            "kind": kind,
            "value": value,
            "issued_at": issued_at,
        }
    )


def parse_command(body: bytes) -> TrainerCommand:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise CommandRejected(
            "command body is not JSON", None, ResultCode.INVALID_PARAMETER
        ) from None
    if not isinstance(data, dict):
        raise CommandRejected("command body is not an object", None, ResultCode.INVALID_PARAMETER)
    try:
        command_id = UUID(str(data.get("command_id")))
    except ValueError:
        raise CommandRejected(
            "command_id is not a UUID", None, ResultCode.INVALID_PARAMETER
        ) from None

    def reject(reason: str) -> CommandRejected:
        return CommandRejected(reason, command_id, ResultCode.INVALID_PARAMETER)

    if data.get("v") != COMMAND_VERSION:
        raise CommandRejected(
            f"unsupported command version {data.get('v')!r}", command_id, ResultCode.NOT_SUPPORTED
        )
    kind = data.get("kind")
    if not isinstance(kind, str):
        raise reject("kind must be a string")
    issued_at = _number(data.get("issued_at"))
    if issued_at is None:
        raise reject("issued_at must be a number (seconds since the epoch)")
    raw_value = data.get("value")
    value = _number(raw_value)
    if raw_value is not None and value is None:
        raise reject("value must be a finite number or null")
    return TrainerCommand(command_id, str(data.get("session_id", "")), kind, value, issued_at)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None
