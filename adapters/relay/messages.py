"""What the relay publishes for one relay batch: one live message per live partition
(`adapters.live_message`) and each trainer command to its bridge. Pure: events in,
messages out."""

from __future__ import annotations

import time
from dataclasses import dataclass
from uuid import UUID

from adapters import live_message
from adapters.amqp import names
from domain import events as domain_events
from wire.commands import encode_command


@dataclass(frozen=True)
class Outgoing:
    exchange: str
    routing_key: str
    body: bytes
    mandatory: bool
    expiration_s: float | None = None
    message_id: str | None = None


def command_for(
    event: domain_events.StoredEvent, command_ttl_s: float, now: float | None = None
) -> Outgoing | None:
    """The bridge's copy of an issued command, unless it is already older than its TTL."""
    if not isinstance(event, domain_events.CommandIssued):
        return None
    now = time.time() if now is None else now
    remaining = command_ttl_s - (now - event.timestamp.timestamp())
    if remaining <= 0:
        return None
    return Outgoing(
        exchange=names.COMMANDS_EXCHANGE,
        routing_key=event.client_id,
        body=encode_command(
            event.command_id,
            event.originator_id,
            event.kind,
            event.value,
            event.timestamp.timestamp(),
        ),
        mandatory=True,
        expiration_s=remaining,
        message_id=str(event.command_id),
    )


class BatchMessages:
    """Collects a relay batch's events; `outgoing()` gives the commands, then the live
    messages (one per partition with something in the batch)."""

    def __init__(self, live_partitions: int, command_ttl_s: float) -> None:
        self._live = live_message.BatchBuilder(live_partitions)
        self._commands: list[Outgoing] = []
        self._command_ttl_s = command_ttl_s
        self._now = time.time()

    def add(self, event: domain_events.StoredEvent, notification_id: int, owner_id: UUID) -> None:
        self._live.add(owner_id, live_message.item(event, notification_id))
        command = command_for(event, self._command_ttl_s, self._now)
        if command is not None:
            self._commands.append(command)

    @property
    def live_items(self) -> int:
        return len(self._live)

    def outgoing(self) -> list[Outgoing]:
        live = [
            # Live updates are for whoever is watching now; nobody watching is not an error.
            Outgoing(names.LIVE_EXCHANGE, key, body, mandatory=False)
            for key, body in self._live.messages()
        ]
        return self._commands + live
