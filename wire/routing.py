"""The exchanges, routing keys and queues a bridge meets (docs/amqp-topology.md)."""

from __future__ import annotations

EVENTS_EXCHANGE = "ble.events"  # topic; bridges publish ble.events.<client_id>
COMMANDS_EXCHANGE = "ble.commands"  # direct; routing key = client id
ROUTING_PREFIX = EVENTS_EXCHANGE + "."
CORRELATION_HEADER = "x-correlation-id"


def events_routing_key(client_id: str) -> str:
    return f"{ROUTING_PREFIX}{client_id}"


def command_queue(client_id: str) -> str:
    return f"{COMMANDS_EXCHANGE}.{client_id}"


def bridge_username(client_id: str) -> str:
    """The RabbitMQ user a bridge logs in as (the API creates it at registration)."""
    return f"bridge-{client_id}"
