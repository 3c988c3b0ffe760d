"""The load generator of the ingest benchmark: simulated bridges publishing real
bridge-protocol envelopes (one notification each, real GATT payloads) over AMQP with
publisher confirms, at a fixed rate per rider. Runs as its own process(es), so that its
CPU is measured apart from wattlog's.

A sample's device time is when the notification happened (epoch seconds): its publish time,
or earlier when a bridge batches several notifications per envelope. A consumer of the live
feed or a reader of the event store computes bridge-to-live and bridge-to-commit latency
from it, so the wait of a batched notification is counted.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

import aio_pika
from pamqp.commands import Basic

from adapters.amqp import names
from bridge.gatt import HeartRateMeasurement, IndoorBikeData, encode_heart_rate_measurement
from bridge.gatt.indoor_bike_data import encode_indoor_bike_data
from wire.envelope import Envelope, Sample, encode_envelope


@dataclass(frozen=True)
class LoadPlan:
    amqp_url: str
    client_ids: tuple[str, ...]
    rate_hz: float
    duration_s: float
    start_at: float  # wall-clock time at which every generator starts, so riders stay in step
    samples_per_envelope: int = 1  # a bridge may send what it has every 1/rate s, or batch


def _sample(seq: int, now: float) -> Sample:
    power = 180 + (seq * 7) % 90
    if seq % 4 == 3:
        payload = encode_heart_rate_measurement(HeartRateMeasurement(140 + seq % 20))
        return Sample(seq, now, "hr-strap", "2a37", payload, {"heart_rate_bpm": 140 + seq % 20})
    data = IndoorBikeData(speed_kmh=32.5, cadence_rpm=90.0, power_w=power)
    values = {"speed_kmh": 32.5, "cadence_rpm": 90.0, "power_w": power}
    return Sample(seq, now, "trainer", "2ad2", encode_indoor_bike_data(data), values)


async def _generate(plan: LoadPlan) -> int:
    connection = await aio_pika.connect_robust(plan.amqp_url)
    published = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        # aiormq's publish directly: the generator should spend its CPU on load, not on
        # aio-pika's Message objects (confirms and returns behave the same).
        underlay = await channel.get_underlay_channel()
        properties = Basic.Properties(delivery_mode=2, content_type="application/json")
        per = plan.samples_per_envelope
        envelope_hz = plan.rate_hz / per
        ticks = int(plan.duration_s * envelope_hz)
        await asyncio.sleep(max(0.0, plan.start_at - time.time()))
        started = time.monotonic()
        pending: set[asyncio.Future[object]] = set()
        for tick in range(ticks):
            now = time.time()
            samples = tuple(
                _sample(tick * per + k, now - (per - 1 - k) / plan.rate_hz) for k in range(per)
            )
            for client_id in plan.client_ids:
                body = encode_envelope(Envelope(client_id, now, uuid.uuid4().hex, samples=samples))
                pending.add(
                    asyncio.ensure_future(
                        underlay.basic_publish(
                            body,
                            exchange=names.EVENTS_EXCHANGE,
                            routing_key=names.events_routing_key(client_id),
                            mandatory=True,
                            properties=properties,
                        )
                    )
                )
            published += len(plan.client_ids) * per
            # Wait for the confirms of older ticks, never let more than a second pile up.
            if len(pending) > envelope_hz * len(plan.client_ids):
                _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            delay = started + (tick + 1) / envelope_hz - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        if pending:
            await asyncio.wait(pending)
    return published


def run_generator(plan: LoadPlan) -> int:
    """Entry point of a generator process; returns how many notifications it published."""
    return asyncio.run(_generate(plan))
