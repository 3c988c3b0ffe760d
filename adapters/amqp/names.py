"""Names of every exchange and queue, in one place (docs/amqp-topology.md explains them)."""

from __future__ import annotations

EVENTS_EXCHANGE = "ble.events"  # topic; bridges publish ble.events.<client_id>
SHARD_EXCHANGE = "ble.events.shards"  # x-consistent-hash on the routing key
COMMANDS_EXCHANGE = "ble.commands"  # direct; routing key = client id
LIVE_EXCHANGE = "wattlog.live"  # topic; live.<owner_id>.<session_id>.<kind>
DEAD_LETTER_EXCHANGE = "wattlog.dead"  # fanout
DEAD_LETTER_QUEUE = "wattlog.dead-letters"

REASON_HEADER = "x-wattlog-reason"
CORRELATION_HEADER = "x-correlation-id"


def shard_queue(index: int) -> str:
    return f"ble.ingest.{index}"


def command_queue(client_id: str) -> str:
    return f"ble.commands.{client_id}"


def events_routing_key(client_id: str) -> str:
    return f"ble.events.{client_id}"


def live_routing_key(owner_id: object, session_id: object, kind: str) -> str:
    return f"live.{owner_id}.{session_id}.{kind}"
