"""How the ingest worker settles a batch whose messages came on two channels, one of which
has closed since (a reconnect happened while they waited): the dead channel's messages are
left to the broker, which redelivers them; the others are stored and acknowledged."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import aio_pika
import pytest
from aio_pika.abc import AbstractChannel, AbstractRobustConnection
from aiormq.abc import DeliveredMessage
from pipeline_helpers import sample_envelope
from psycopg_pool import ConnectionPool

from adapters.amqp.connection import confirmed_channel
from adapters.amqp.names import events_routing_key
from adapters.eventstore import WattlogStore
from adapters.ingest.consumer import IngestConsumer
from adapters.ingest.routes import RouteTable
from adapters.ingest.writer import SessionWriter
from adapters.settings import Settings
from domain.sessions import WorkoutSession
from wire.envelope import encode_envelope


@pytest.fixture
async def private_queue(amqp: AbstractRobustConnection) -> AsyncIterator[str]:
    """A queue of this test's own, fed like a shard (routing key ble.events.<client id>)."""
    name = f"test.settle.{uuid.uuid4().hex[:8]}"
    channel = await amqp.channel()
    exchange = await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC)
    queue = await channel.declare_queue(name)
    await queue.bind(exchange, "ble.events.#")
    yield name
    await channel.queue_delete(name, if_unused=False, if_empty=False)
    await channel.exchange_delete(name)
    await channel.close()


async def take(channel: AbstractChannel, queue: str, count: int) -> list[DeliveredMessage]:
    """`count` messages of the queue, delivered on the channel and not acknowledged."""
    underlay = await channel.get_underlay_channel()
    taken: list[DeliveredMessage] = []
    while len(taken) < count:
        message = await underlay.basic_get(queue, no_ack=False)
        if message.delivery_tag is None:  # Basic.GetEmpty: nothing there yet
            await asyncio.sleep(0.05)
        else:
            taken.append(message)
    return taken


async def ready_messages(amqp: AbstractRobustConnection, name: str) -> int:
    channel = await amqp.channel()
    try:
        queue = await channel.declare_queue(name, passive=True)
        return queue.declaration_result.message_count or 0
    finally:
        await channel.close()


async def test_a_batch_from_a_closed_and_an_open_channel_acks_only_on_the_open_one(
    settings: Settings,
    store: WattlogStore,
    amqp: AbstractRobustConnection,
    private_queue: str,
    running_session: WorkoutSession,
) -> None:
    client_id = running_session.client_id
    publishing = await confirmed_channel(amqp)
    exchange = await publishing.get_exchange(private_queue)
    for seq in range(4):
        await exchange.publish(
            aio_pika.Message(encode_envelope(sample_envelope(client_id, [seq]))),
            routing_key=events_routing_key(client_id),
        )
    old, new = await confirmed_channel(amqp), await confirmed_channel(amqp)
    batch = await take(old, private_queue, 2)
    batch += await take(new, private_queue, 2)
    await old.close()  # as a reconnect does: its deliveries go back to the queue

    with ConnectionPool(settings.database_url, min_size=1, max_size=1) as pool:
        consumer = IngestConsumer(settings, new, SessionWriter(store, RouteTable(pool)))
        await consumer.handle(batch)

    assert consumer.stats.stale_dropped == 2
    stored = [
        e.seq
        for e in store.events.get(running_session.id)
        if isinstance(e, WorkoutSession.SampleRecorded)
    ]
    assert stored == [2, 3]
    # The old channel's two are back in the queue; the new channel's two were acknowledged,
    # so closing it puts nothing more back (the broker requeues before it confirms a close).
    await new.close()
    assert await ready_messages(amqp, private_queue) == 2
    await publishing.close()
