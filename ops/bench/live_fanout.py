"""What the live fan-out costs per sample, by design, with the real broker and event store:

- read: the relay's `select_notifications` + decoding each event (what a relay pays and an
  ingest worker publishing after its commit would not, since it holds the events);
- one message per sample (the design before issue 13): build, encode and publish each
  item with publisher confirms;
- one message per live partition per batch (`adapters/live_message.py`), for several
  partition counts: build the batch's messages and publish them with confirms.

A consumer in the same process, bound to everything, receives and reads every message as
an API process serving every user would (decode, pick the watched users' items), so the
figure is the relay's and the API's CPU together; the broker's own CPU is not in it.

    .venv/bin/python ops/bench/live_fanout.py [--riders 500] [--samples 20000]

Prints one JSON line of CPU microseconds per sample (process time), then a short table.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from typing import Any

import aio_pika
import orjson
from benchlib import report, scratch_settings
from pamqp.commands import Basic

from adapters import live_message
from adapters.amqp import names
from adapters.amqp.topology_command import declare
from adapters.eventstore import WattlogStore
from adapters.relay.messages import BatchMessages
from adapters.settings import Settings
from domain.sessions import WorkoutSession

BATCH = 1000  # the relay's batch size


def _write(settings: Settings, riders: int, samples: int) -> dict[uuid.UUID, uuid.UUID]:
    """`samples` samples of `riders` riding together; returns each session's owner."""
    store = WattlogStore(settings)
    sessions = [
        WorkoutSession.start(
            athlete_id=uuid.uuid4(), owner_id=uuid.uuid4(), client_id=f"c{i}", ftp_w=250
        )
        for i in range(riders)
    ]
    t0 = time.time() - 600
    for seq in range(samples // riders):
        for session in sessions:
            session.record_sample(
                session.client_id,
                seq,
                t0 + seq * 0.25,
                "trainer",
                "2ad2",
                b"\x44\x02",
                {"power_w": 200, "cadence_rpm": 90.0},
            )
        if seq % 20 == 19:
            store.save(*sessions)
    store.save(*sessions)
    store.close()
    return {session.id: session.owner_id for session in sessions}


def _read(settings: Settings) -> tuple[list[tuple[int, Any]], float]:
    """Every event as the relay reads it, in batches of BATCH; CPU seconds spent."""
    store = WattlogStore(settings)
    started = time.process_time()
    events: list[tuple[int, Any]] = []
    position = 0
    while True:
        notifications = store.recorder.select_notifications(
            start=position, limit=BATCH, inclusive_of_start=False
        )
        if not notifications:
            break
        events += [(n.id, store.mapper.to_domain_event(n)) for n in notifications]
        position = notifications[-1].id
    spent = time.process_time() - started
    store.close()
    return events, spent


async def _publish_all(
    settings: Settings,
    events: list[tuple[int, Any]],
    owners: dict[uuid.UUID, uuid.UUID],
    partitions: int | None,
) -> tuple[float, int]:
    """Publishes every event, BATCH at a time: one message per sample (partitions None) or
    per partition; returns (CPU seconds, messages)."""
    connection = await aio_pika.connect_robust(settings.amqp_url)
    async with connection:
        sink = await connection.channel()
        queue = await sink.declare_queue(exclusive=True, auto_delete=True)
        exchange = await sink.get_exchange(names.LIVE_EXCHANGE, ensure=False)
        await queue.bind(exchange, routing_key="live.#")
        watched = {str(owner) for owner in owners.values()}
        received = [0]
        expected = [len(events)]  # at most one message per event; set to the real count below
        all_in = asyncio.Event()

        async def count(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            # What an API process's hub does with it, up to the watchers.
            if partitions is None:
                orjson.loads(message.body)
            else:
                for _ in live_message.decode(message.body).items_for(watched):
                    pass
            received[0] += 1
            if received[0] >= expected[0]:
                all_in.set()

        await queue.consume(count, no_ack=True)
        channel = await connection.channel(publisher_confirms=True)
        underlay = await channel.get_underlay_channel()
        properties = Basic.Properties(content_type="application/json")
        started = time.process_time()
        sent = 0
        for start in range(0, len(events), BATCH):
            batch = events[start : start + BATCH]
            if partitions is None:
                bodies = [
                    (
                        f"live.{owners[event.originator_id]}.{event.originator_id}.sample",
                        orjson.dumps(live_message.item(event, n)),
                    )
                    for n, event in batch
                ]
            else:
                messages = BatchMessages(partitions, 5.0)
                for n, event in batch:
                    messages.add(event, n, owners[event.originator_id])
                bodies = [(m.routing_key, m.body) for m in messages.outgoing()]
            await asyncio.gather(
                *(
                    underlay.basic_publish(
                        body, exchange=names.LIVE_EXCHANGE, routing_key=key, properties=properties
                    )
                    for key, body in bodies
                )
            )
            sent += len(bodies)
        spent = time.process_time() - started
        expected[0] = sent
        if received[0] >= sent:
            all_in.set()
        await asyncio.wait_for(all_in.wait(), 60)
    return spent, sent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--riders", type=int, default=500)
    parser.add_argument("--samples", type=int, default=20_000)
    args = parser.parse_args()
    with scratch_settings() as settings:
        asyncio.run(declare(settings))
        owners = _write(settings, args.riders, args.samples)
        events, read_s = _read(settings)
        samples = len(events)
        figures: dict[str, Any] = {
            "riders": args.riders,
            "events": samples,
            "read_us_per_sample": round(read_s * 1e6 / samples, 1),
        }
        designs: list[tuple[str, int | None]] = [("per_sample", None)] + [
            (f"partitions_{p}", p) for p in (1, 16, 64)
        ]
        for name, partitions in designs:
            spent, sent = asyncio.run(_publish_all(settings, events, owners, partitions))
            figures[f"{name}_us_per_sample"] = round(spent * 1e6 / samples, 1)
            figures[f"{name}_messages"] = sent
    rows = [("design", "publish CPU us/sample", "messages")]
    rows += [
        (name, str(figures[f"{name}_us_per_sample"]), str(figures[f"{name}_messages"]))
        for name, _ in designs
    ]
    rows.append(("(relay) read + decode", str(figures["read_us_per_sample"]), "-"))
    report("live-fanout", figures, rows)


if __name__ == "__main__":
    main()
