"""Trainer commands from `ble.commands.<client id>`: parse, refuse the stale and the repeated,
apply through the TrainerController, and store the acknowledgement in the outbox.

The body is the wire contract's trainer command (wire/commands.py), which the relay encodes.
A command is never applied once it is older than the TTL, measured from `issued_at` (the
server's clock; the bridge's clock should be NTP-synchronised) up to the moment the request
is written to the trainer. Every command the bridge has read gets exactly one
acknowledgement: the trainer's FTMS result code, or one the bridge chooses when it could
not ask the trainer (docs/bridge.md has the table). Command ids already handled are
recognised (a bounded memory of recent ids) and neither applied nor acknowledged again.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from bridge.ble.gatt_link import GattLinkError
from bridge.control import CommandExpired, TrainerControlError, TrainerController
from bridge.control_requests import InvalidCommandValue, UnsupportedCommand
from bridge.gatt.errors import GattEncodeError
from wire.commands import CommandRejected, TrainerCommand, parse_command
from wire.limits import ResultCode

log = logging.getLogger(__name__)

REMEMBERED_COMMANDS = 1000


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
