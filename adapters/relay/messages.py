"""What the relay publishes for each session event: live updates for dashboards and
trainer commands for bridges. Pure: event in, messages out."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson

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


def _live(
    owner_id: UUID,
    event: domain_events.StoredEvent,
    notification_id: int,
    kind: str,
    fields: dict[str, Any],
) -> Outgoing:
    body = {
        **fields,
        "n": notification_id,
        "session_id": str(event.originator_id),
        "kind": kind,
        "event": type(event).__name__,
        "at": event.timestamp.timestamp(),
    }
    return Outgoing(
        exchange=names.LIVE_EXCHANGE,
        routing_key=names.live_routing_key(owner_id, event.originator_id, kind),
        body=orjson.dumps(body),
        # Live updates are for whoever is watching now; nobody watching is not an error.
        mandatory=False,
    )


def messages_for(
    event: domain_events.StoredEvent,
    notification_id: int,
    owner_id: UUID,
    command_ttl_s: float,
    now: float | None = None,
) -> list[Outgoing]:
    now = time.time() if now is None else now
    if isinstance(event, domain_events.SampleRecorded):
        return [
            _live(
                owner_id,
                event,
                notification_id,
                "sample",
                {
                    "client_id": event.client_id,
                    "seq": event.seq,
                    "t": event.device_time,
                    "sensor": event.sensor_id,
                    "char": event.characteristic,
                    "values": event.values,
                },
            )
        ]
    if isinstance(event, domain_events.CommandIssued):
        out = [
            _live(
                owner_id,
                event,
                notification_id,
                "command",
                {"command_id": str(event.command_id), "command": event.kind, "value": event.value},
            )
        ]
        remaining = command_ttl_s - (now - event.timestamp.timestamp())
        if remaining > 0:
            out.append(
                Outgoing(
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
            )
        return out
    fields = {
        key: (str(value) if isinstance(value, UUID) else value)
        for key, value in vars(event).items()
        if key not in {"originator_id", "originator_version", "timestamp"}
        and isinstance(value, str | int | float | bool | UUID | type(None))
    }
    return [_live(owner_id, event, notification_id, "status", fields)]
