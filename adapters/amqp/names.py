"""Names of every exchange and queue, in one place (docs/amqp-topology.md explains them).
Those a bridge meets are the wire contract's (wire/routing.py), re-exported here."""

from __future__ import annotations

from wire.routing import (
    COMMANDS_EXCHANGE,
    CORRELATION_HEADER,
    EVENTS_EXCHANGE,
    command_queue,
    events_routing_key,
)

SHARD_EXCHANGE = "ble.events.shards"  # x-consistent-hash on the routing key
LIVE_EXCHANGE = "wattlog.live"  # topic; live.<partition> (adapters/live_message.py)
DEAD_LETTER_EXCHANGE = "wattlog.dead"  # fanout
DEAD_LETTER_QUEUE = "wattlog.dead-letters"

REASON_HEADER = "x-wattlog-reason"


def shard_queue(index: int) -> str:
    return f"ble.ingest.{index}"


__all__ = [
    "COMMANDS_EXCHANGE",
    "CORRELATION_HEADER",
    "DEAD_LETTER_EXCHANGE",
    "DEAD_LETTER_QUEUE",
    "EVENTS_EXCHANGE",
    "LIVE_EXCHANGE",
    "REASON_HEADER",
    "SHARD_EXCHANGE",
    "command_queue",
    "events_routing_key",
    "shard_queue",
]
