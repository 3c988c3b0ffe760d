"""RabbitMQ's own CPU per message on the paths wattlog uses, and on the alternatives, so
that `server_cpu_us_per_sample`'s RabbitMQ share can be read as messages times a price.

    .venv/bin/python ops/bench/broker_cost.py [--messages 30000] [--rate 1000]

Each case publishes `--messages` messages at `--rate` per second (paced, as bridges send,
not a flood) with publisher confirms, and one consumer takes them with a prefetch of 500
and one cumulative ack per 100, as the ingest worker does:
- `ingest quorum`: the real ingest topology (`ble.events` topic exchange, the
  consistent-hash exchange, 4 quorum shard queues), persistent envelopes of the reference
  rider's half second (2 notifications);
- `ingest classic`: the same exchanges into 4 classic durable queues;
- `live transient`: the same body, transient, through a topic exchange into one
  non-durable exclusive queue consumed without acks (as the API's live queue);
- `direct quorum`: the default exchange straight into one quorum queue (the raw baseline).
The broker's CPU is read from /proc for the node's process (beam.smp) over each case,
less what it burns idle over the same time (measured first). The broker is shared with
anything else on the machine: run it when nothing else uses RabbitMQ.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from benchlib import report, scratch_settings
from loadgen import reference_second
from measure import ProcessUsage, broker_pid
from pamqp.commands import Basic

from wire.envelope import Envelope, Sample, encode_envelope

SHARDS = 4
ACK_EVERY = 100
IDLE_S = 3.0


@dataclass(frozen=True)
class Case:
    name: str
    queue_type: str | None  # quorum, classic; None: a transient, exclusive queue
    through_hash: bool  # the ingest exchanges (topic -> consistent hash), else direct


CASES = (
    Case("ingest quorum", "quorum", True),
    Case("ingest classic", "classic", True),
    Case("live transient", None, False),
    Case("direct quorum", "quorum", False),
)


def _envelope_body() -> bytes:
    first_second = reference_second()[0]
    now = time.time()
    samples = tuple(
        Sample(seq, now + t.offset_s, t.sensor_id, t.characteristic, t.raw, t.values)
        for seq, t in enumerate(first_second[:2])
    )
    return encode_envelope(Envelope("bench-bridge", now, uuid.uuid4().hex, samples=samples))


async def _declare(channel: AbstractChannel, case: Case, tag: str) -> tuple[str, str, list[str]]:
    """(exchange, routing key, queues) of the case."""
    if case.queue_type is None:
        exchange = await channel.declare_exchange(f"cost-live-{tag}", aio_pika.ExchangeType.TOPIC)
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key="live.0")
        return exchange.name, "live.0", [queue.name]
    arguments = {"x-queue-type": case.queue_type}
    if not case.through_hash:
        queue = await channel.declare_queue(f"cost-{tag}", durable=True, arguments=arguments)
        return "", queue.name, [queue.name]
    events = await channel.declare_exchange(
        f"cost-events-{tag}", aio_pika.ExchangeType.TOPIC, durable=True
    )
    shards = await channel.declare_exchange(
        f"cost-shards-{tag}", aio_pika.ExchangeType.X_CONSISTENT_HASH, durable=True
    )
    await shards.bind(events, routing_key="ble.events.#")
    queues = []
    for index in range(SHARDS):
        queue = await channel.declare_queue(
            f"cost-{tag}-{index}", durable=True, arguments=arguments
        )
        await queue.bind(shards, routing_key="1")
        queues.append(queue.name)
    return events.name, "ble.events.{}", queues


async def _consume(
    connection: aio_pika.abc.AbstractConnection, queues: list[str], expected: int, ack: bool
) -> tuple[asyncio.Event, AbstractChannel]:
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=500)
    done = asyncio.Event()
    received = 0

    async def on_message(message: AbstractIncomingMessage) -> None:
        nonlocal received
        received += 1
        if ack and (received % ACK_EVERY == 0 or received == expected):
            await message.ack(multiple=True)
        if received == expected:
            done.set()

    for name in queues:
        queue = await channel.get_queue(name, ensure=False)
        await queue.consume(on_message, no_ack=not ack)
    return done, channel


async def _run_case(amqp_url: str, case: Case, messages: int, rate: float) -> float:
    """Broker CPU seconds spent on the case (idle subtracted)."""
    broker = ProcessUsage(broker_pid() or 0)
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        tag = uuid.uuid4().hex[:6]
        exchange, routing_key, queues = await _declare(channel, case, tag)
        done, consumer = await _consume(
            connection, queues, messages, ack=case.queue_type is not None
        )
        broker.start()
        await asyncio.sleep(IDLE_S)
        idle_per_s = broker.cpu_since_start() / IDLE_S
        underlay = await channel.get_underlay_channel()
        properties = Basic.Properties(
            delivery_mode=1 if case.queue_type is None else 2, content_type="application/json"
        )
        body = _envelope_body()
        broker.start()
        started = time.monotonic()
        pending: set[asyncio.Future[object]] = set()
        for sent in range(messages):
            key = routing_key.format(sent % 500)  # 500 bridges, spread over the shards
            pending.add(
                asyncio.ensure_future(
                    underlay.basic_publish(
                        body, exchange=exchange, routing_key=key, properties=properties
                    )
                )
            )
            if sent % 50 == 49:
                delay = started + (sent + 1) / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                _, pending = await asyncio.wait(pending, timeout=0)
        await asyncio.gather(*pending)
        await asyncio.wait_for(done.wait(), 120)
        elapsed = time.monotonic() - started
        spent = broker.cpu_since_start() - idle_per_s * elapsed
        await consumer.close()
        for name in queues:
            await channel.queue_delete(name)
        return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=30_000)
    parser.add_argument("--rate", type=float, default=1000.0, help="messages per second")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    with scratch_settings() as settings:
        for case in CASES:
            spent = asyncio.run(_run_case(settings.amqp_url, case, args.messages, args.rate))
            figures[case.name] = round(spent / args.messages * 1e6, 1)
    report(
        "broker_cost",
        {"messages": args.messages, "rate": args.rate, "broker_cpu_us_per_message": figures},
        [("case", "broker CPU us per message")]
        + [(name, str(value)) for name, value in figures.items()],
    )


if __name__ == "__main__":
    main()
