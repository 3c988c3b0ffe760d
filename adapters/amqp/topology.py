"""Declares the RabbitMQ topology. Idempotent: every backend process runs it on start.

bridge --ble.events.<id>--> [ble.events topic]
    --ble.events.#--> [ble.events.shards x-consistent-hash, hashed on the routing key]
    --> ble.ingest.0 .. N-1 (quorum queues, a single active consumer each)
relay --<client id>--> [ble.commands direct] --> ble.commands.<client id> (message TTL)
relay --live.<partition>--> [wattlog.live topic] --> one queue per API process (its users')
ingest --poison messages, reason in a header--> [wattlog.dead fanout] --> wattlog.dead-letters
"""

from __future__ import annotations

from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractQueue, AbstractRobustChannel

from adapters.amqp import names
from adapters.settings import Settings


async def declare_topology(channel: AbstractChannel, settings: Settings) -> None:
    events = await channel.declare_exchange(
        names.EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
    )
    shards = await channel.declare_exchange(
        names.SHARD_EXCHANGE, aio_pika.ExchangeType.X_CONSISTENT_HASH, durable=True
    )
    await shards.bind(events, routing_key="ble.events.#")
    dead = await channel.declare_exchange(
        names.DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.FANOUT, durable=True
    )
    dead_letters = await channel.declare_queue(
        names.DEAD_LETTER_QUEUE, durable=True, arguments={"x-queue-type": "quorum"}
    )
    await dead_letters.bind(dead)
    for index in range(settings.ingest_shards):
        queue = await channel.declare_queue(
            names.shard_queue(index),
            durable=True,
            arguments={
                "x-queue-type": "quorum",
                "x-single-active-consumer": True,
                "x-dead-letter-exchange": names.DEAD_LETTER_EXCHANGE,
            },
        )
        # For the consistent-hash exchange the binding key is the shard's weight.
        await queue.bind(shards, routing_key="1")
    await channel.declare_exchange(
        names.COMMANDS_EXCHANGE, aio_pika.ExchangeType.DIRECT, durable=True
    )
    await channel.declare_exchange(names.LIVE_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)


async def declare_command_queue(
    channel: AbstractChannel, settings: Settings, client_id: str, *, consumed_here: bool = False
) -> AbstractQueue:
    """The queue a bridge reads its trainer commands from; declared when it is registered.

    The TTL drops commands nobody took within a few seconds: an old ERG target must never
    reach a trainer. The relay also sets a per-message expiration from the command's age.

    A robust channel remembers every queue declared on it and declares them all again after
    a reconnect: right for a queue this process consumes (`consumed_here`, the phone
    gateway), wrong for the API and the relay, which declare one per bridge on a long-lived
    channel (the list would grow without end, and a revoked bridge's queue come back).
    """
    exchange = await channel.get_exchange(names.COMMANDS_EXCHANGE, ensure=False)
    arguments: dict[str, Any] = {"x-message-ttl": settings.command_ttl_ms, "x-max-length": 100}
    name = names.command_queue(client_id)
    if isinstance(channel, AbstractRobustChannel):
        queue: AbstractQueue = await channel.declare_queue(
            name, durable=True, arguments=arguments, robust=consumed_here
        )
    else:
        queue = await channel.declare_queue(name, durable=True, arguments=arguments)
    await queue.bind(exchange, routing_key=client_id)
    return queue


async def delete_command_queue(channel: AbstractChannel, client_id: str) -> None:
    """Deletes a bridge's command queue, with whatever it holds (when it is revoked, or its
    registration failed). Idempotent: RabbitMQ answers a queue already gone with delete-ok."""
    await channel.queue_delete(names.command_queue(client_id))
