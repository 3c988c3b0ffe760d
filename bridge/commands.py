"""Trainer commands from `ble.commands.<client id>`: parse, refuse the stale and the repeated,
apply through the TrainerController, and store the acknowledgement in the outbox.

The body is the relay's (adapters/relay/messages.py):
`{"v": 1, "command_id", "session_id", "kind", "value", "issued_at"}`.
A command is never applied once it is older than the TTL, measured from `issued_at` (the
server's clock; the bridge's clock should be NTP-synchronised) up to the moment the request
is written to the trainer. Every command the bridge has read gets exactly one
acknowledgement: the trainer's FTMS result code, or one the bridge chooses when it could
not ask the trainer (docs/bridge.md has the table). Command ids already handled are
recognised (a bounded memory of recent ids) and neither applied nor acknowledged again.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson

from bridge.ble.gatt_link import GattLinkError
from bridge.control import CommandExpired, TrainerControlError, TrainerController
from bridge.control_requests import InvalidCommandValue, UnsupportedCommand
from bridge.gatt.control_point import ResultCode
from bridge.gatt.errors import GattEncodeError

log = logging.getLogger(__name__)

COMMAND_VERSION = 1
REMEMBERED_COMMANDS = 1000


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


@dataclass
class CommandStats:
    received: int = 0
    applied: int = 0  # the trainer answered (success or not)
    expired: int = 0
    duplicates: int = 0
    rejected: int = 0
    failed: int = 0  # the trainer could not be asked


AckSink = Callable[[UUID, int], Awaitable[None]]


class CommandRunner:
    def __init__(
        self,
        controller: TrainerController,
        store_ack: AckSink,
        ttl_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._controller = controller
        self._store_ack = store_ack
        self._ttl_s = ttl_s
        self._clock = clock
        self._seen: OrderedDict[UUID, None] = OrderedDict()
        self.stats = CommandStats()

    async def handle(self, body: bytes) -> int | None:
        """Handles one command; returns the acknowledged result code (None: not acknowledged,
        because it was a repeat or had no usable id)."""
        self.stats.received += 1
        try:
            command = parse_command(body)
        except CommandRejected as rejected:
            self.stats.rejected += 1
            log.warning("trainer command rejected", extra={"reason": str(rejected)})
            if rejected.command_id is None or self._repeated(rejected.command_id):
                return None
            await self._store_ack(rejected.command_id, rejected.result_code)
            return rejected.result_code
        if self._repeated(command.command_id):
            self.stats.duplicates += 1
            return None
        code = await self._apply(command)
        await self._store_ack(command.command_id, code)
        log.info(
            "trainer command handled",
            extra={"command_id": str(command.command_id), "kind": command.kind, "result": code},
        )
        return code

    async def _apply(self, command: TrainerCommand) -> int:
        not_after = command.issued_at + self._ttl_s
        if self._clock() > not_after:
            self.stats.expired += 1
            log.warning("trainer command expired", extra={"command_id": str(command.command_id)})
            return ResultCode.OPERATION_FAILED
        if self._controller.read_only:
            self.stats.rejected += 1
            return ResultCode.NOT_SUPPORTED
        if not await self._controller.wait_ready(not_after - self._clock()):
            self.stats.failed += 1
            return ResultCode.OPERATION_FAILED
        try:
            code = await self._controller.execute(command.kind, command.value, not_after)
        except UnsupportedCommand:
            self.stats.rejected += 1
            return ResultCode.NOT_SUPPORTED
        except (InvalidCommandValue, GattEncodeError):
            self.stats.rejected += 1
            return ResultCode.INVALID_PARAMETER
        except CommandExpired:
            self.stats.expired += 1
            return ResultCode.OPERATION_FAILED
        except (TrainerControlError, GattLinkError) as error:
            self.stats.failed += 1
            log.warning(
                "trainer command failed",
                extra={"command_id": str(command.command_id), "error": str(error)},
            )
            return ResultCode.OPERATION_FAILED
        self.stats.applied += 1
        return int(code)

    def _repeated(self, command_id: UUID) -> bool:
        if command_id in self._seen:
            return True
        self._seen[command_id] = None
        while len(self._seen) > REMEMBERED_COMMANDS:
            self._seen.popitem(last=False)
        return False
