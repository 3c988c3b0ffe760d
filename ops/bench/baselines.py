"""The limits of this machine, measured in the same run as wattlog so that the ratio
survives a noisy box: raw COPY into PostgreSQL, raw publish+consume through RabbitMQ with
confirms, and the naive design (one transaction per sample through the event store)."""

from __future__ import annotations

import asyncio
import time
import uuid

import aio_pika
import psycopg

from adapters.eventstore import WattlogStore
from adapters.settings import Settings
from domain.sessions import WorkoutSession

STATE = b'{"client_id":"bench","seq":1,"device_time":1.7e9,"values":{"power_w":250}}' * 3


def raw_copy_rows_per_s(settings: Settings, rows: int) -> float:
    """COPY of rows shaped like stored events into an unlogged-free ordinary table."""
    with psycopg.connect(settings.database_url) as conn:
        conn.execute(
            "CREATE TEMP TABLE copy_baseline (originator_id uuid, originator_version bigint,"
            " topic text, state bytea, notification_id bigserial)"
        )
        originator = uuid.uuid4()
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            cursor.copy(
                "COPY copy_baseline (originator_id, originator_version, topic, state) FROM STDIN"
            ) as copy,
        ):
            for version in range(rows):
                copy.write_row((originator, version, "SampleRecorded", STATE))
        conn.commit()
        return rows / (time.perf_counter() - started)


async def _publish_consume(amqp_url: str, messages: int) -> float:
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(
            f"baseline-{uuid.uuid4().hex[:6]}", durable=True, arguments={"x-queue-type": "quorum"}
        )
        received = 0
        done = asyncio.Event()

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal received
            await message.ack()
            received += 1
            if received == messages:
                done.set()

        consume_channel = await connection.channel()
        await consume_channel.set_qos(prefetch_count=500)
        consumer_queue = await consume_channel.get_queue(queue.name, ensure=False)
        consumer_tag = await consumer_queue.consume(on_message)
        started = time.perf_counter()
        window: list[asyncio.Future[object]] = []
        for _ in range(messages):
            window.append(
                asyncio.ensure_future(
                    channel.default_exchange.publish(
                        aio_pika.Message(STATE, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                        routing_key=queue.name,
                    )
                )
            )
            if len(window) >= 1000:
                await asyncio.gather(*window)
                window.clear()
        await asyncio.gather(*window)
        await asyncio.wait_for(done.wait(), 120)
        elapsed = time.perf_counter() - started
        await consumer_queue.cancel(consumer_tag)
        await queue.delete(if_unused=False, if_empty=False)
        return messages / elapsed


def raw_publish_consume_per_s(settings: Settings, messages: int) -> float:
    return asyncio.run(_publish_consume(settings.amqp_url, messages))


def naive_events_per_s(settings: Settings, samples: int) -> float:
    """One transaction per sample: what the design this project grew from did."""
    store = WattlogStore(settings)
    session = WorkoutSession.start(uuid.uuid4(), uuid.uuid4(), "naive", 250)
    store.save(session)
    started = time.perf_counter()
    for seq in range(samples):
        session.record_sample("naive", seq, 1.7e9 + seq, "trainer", "2ad2", b"\x00", {"power_w": 1})
        store.save(session)
    rate = samples / (time.perf_counter() - started)
    store.close()
    return rate
