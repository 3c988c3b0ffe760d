"""The load generator of the ingest benchmarks: simulated bridges publishing real
bridge-protocol envelopes over AMQP with publisher confirms. Runs as its own process(es),
so that its CPU is measured apart from wattlog's.

Every simulated bridge carries the reference rider (docs/benchmarks.md): a trainer's
Indoor Bike Data at 1 Hz, a power meter at 2 Hz and a heart-rate strap at 1 Hz, 4
notifications per second with real payloads (../shared/fixtures/ble/vectors.json, decoded
by the bridge's own decoder), and sends what it has every `send_interval_s` as the bridges
do (0: each notification as it happens).

Riders send out of step, as real ones do: they are spread over the send interval in
`PHASES` groups, each group sending a tenth of the interval after the one before, so a
notification waits for its send between 0 and one interval (0.275 s on average at 0.5 s).
Before 2026-12-06 every rider sent at the same instant, right after a notification of its
own: a burst of every envelope twice a second, and a 0.375 s average wait.

A sample's device time is when its notification happened (epoch seconds), so a consumer of
the live feed or a reader of the event store computes bridge-to-live and bridge-to-commit
latency from it, the wait for the next send included.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aio_pika
from pamqp.commands import Basic

from adapters.amqp import names
from adapters.simulation.publisher import EnvelopePublisher
from bridge.decoding import Notification, SampleDecoder
from bridge.gatt import uuids
from wire.envelope import Envelope, Sample, encode_envelope

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "ble" / "vectors.json"
# (sensor, characteristic, fixture list, offsets within each second): 4 notifications/s.
POWER = "cycling_power_measurement_2A63"
REFERENCE_RIDER = (
    ("trainer", uuids.INDOOR_BIKE_DATA, "indoor_bike_data_2AD2", (0.0,)),
    (
        "power-meter",
        uuids.CYCLING_POWER_MEASUREMENT,
        "cycling_power_measurement_2A63",
        (0.25, 0.75),
    ),
    ("hr-strap", uuids.HEART_RATE_MEASUREMENT, "heart_rate_measurement_2A37", (0.5,)),
)
RATE_HZ = float(sum(len(offsets) for *_, offsets in REFERENCE_RIDER))
WARM_UP_SEQ = 10**12  # the warm-up sample's sequence number, far above any ride's
PHASES = 10  # groups of riders, spread evenly over the send interval


@dataclass(frozen=True)
class LoadPlan:
    amqp_url: str
    client_ids: tuple[str, ...]
    duration_s: float
    start_at: float  # wall-clock time at which every generator starts, so riders stay in step
    send_interval_s: float = 0.5  # a bridge sends what it has this often; 0: each at once


@dataclass(frozen=True)
class _Template:
    offset_s: float  # within the rider's second
    sensor_id: str
    characteristic: str
    raw: bytes
    values: dict[str, float | int | bool | list[int]]


def reference_second() -> list[list[_Template]]:
    """A few seconds of the reference rider, cycling through the real payloads: each
    second's notifications in time order (the generator repeats the list)."""
    vectors = json.loads(FIXTURES.read_text())
    decoder = SampleDecoder()
    payloads = {
        name: [bytes.fromhex(v["hex"]) for v in vectors[name]] for _, _, name, _ in REFERENCE_RIDER
    }
    seconds = max(len(p) for p in payloads.values())
    result = []
    for second in range(seconds):
        notes = []
        for sensor, characteristic, name, offsets in REFERENCE_RIDER:
            for index, offset in enumerate(offsets):
                raw = payloads[name][(second * len(offsets) + index) % len(payloads[name])]
                at = second + offset
                decoded = decoder.decode(Notification(sensor, characteristic, raw, at, at))
                notes.append(
                    _Template(offset, sensor, decoded.characteristic, raw, dict(decoded.values))
                )
        result.append(sorted(notes, key=lambda n: n.offset_s))
    return result


def _timeline(duration_s: float) -> list[tuple[float, _Template]]:
    """Every notification of one rider over the run: (seconds after the start, template)."""
    seconds = reference_second()
    return [
        (second + note.offset_s, note)
        for second in range(int(duration_s))
        for note in seconds[second % len(seconds)]
    ]


async def _generate(plan: LoadPlan) -> int:
    connection = await aio_pika.connect_robust(plan.amqp_url)
    published = 0
    timeline = _timeline(plan.duration_s)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        # aiormq's publish directly: the generator should spend its CPU on load, not on
        # aio-pika's Message objects (confirms and returns behave the same).
        underlay = await channel.get_underlay_channel()
        properties = Basic.Properties(delivery_mode=2, content_type="application/json")
        tick_s = plan.send_interval_s or 1.0 / RATE_HZ
        ticks_per_s = 1.0 / tick_s
        await asyncio.sleep(max(0.0, plan.start_at - time.time()))
        started_wall = time.time()
        started = time.monotonic()
        pending: set[asyncio.Future[object]] = set()
        # Rider i in group (i + i // PHASES) % PHASES: a rotation per ten riders, so that
        # every tenth rider (the watched ones) is not always in the same group.
        groups: list[list[str]] = [[] for _ in range(PHASES)]
        for index, client_id in enumerate(plan.client_ids):
            groups[(index + index // PHASES) % PHASES].append(client_id)
        # Per group, the first notification it has not sent yet (groups without riders: none).
        cursors = [0 if client_ids else len(timeline) for client_ids in groups]
        tick = 0
        while min(cursors) < len(timeline):
            tick += 1
            for group, client_ids in enumerate(groups):
                send_at = tick * tick_s + group * tick_s / PHASES  # on the riders' clock
                delay = started + send_at - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                first = end = cursors[group]
                while end < len(timeline) and timeline[end][0] < send_at:
                    end += 1
                cursors[group] = end
                if first == end:
                    continue
                samples = tuple(
                    Sample(n, started_wall + at, t.sensor_id, t.characteristic, t.raw, t.values)
                    for n, (at, t) in enumerate(timeline[first:end], start=first)
                )
                now = time.time()
                for client_id in client_ids:
                    envelope = Envelope(client_id, now, uuid.uuid4().hex, samples=samples)
                    pending.add(
                        asyncio.ensure_future(
                            underlay.basic_publish(
                                encode_envelope(envelope),
                                exchange=names.EVENTS_EXCHANGE,
                                routing_key=names.events_routing_key(client_id),
                                mandatory=True,
                                properties=properties,
                            )
                        )
                    )
                published += len(client_ids) * len(samples)
            # Wait for the confirms of older sends, never let more than a second pile up.
            if len(pending) > ticks_per_s * len(plan.client_ids):
                _, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        if pending:
            await asyncio.wait(pending)
    return published


def run_generator(plan: LoadPlan) -> int:
    """Entry point of a generator process; returns how many notifications it published."""
    return asyncio.run(_generate(plan))


def run_generator_measured(plan: LoadPlan) -> tuple[int, float]:
    """`run_generator`, and the CPU seconds this generator process spent."""
    started = time.process_time()
    published = run_generator(plan)
    return published, time.process_time() - started


def warm_up_envelope(client_id: str) -> Envelope:
    """One sample, with a sequence number far above the ride's."""
    (first, *_), *_ = reference_second()
    now = time.time()
    sample = Sample(WARM_UP_SEQ, now, first.sensor_id, first.characteristic, first.raw, {})
    return Envelope(client_id, now, uuid.uuid4().hex, samples=(sample,))


async def warm_up(amqp_url: str, client_ids: list[str]) -> None:
    """One envelope per rider before the ride, so that the ride is measured with every
    session routed and loaded in its worker (a cold start is measured apart)."""
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        publisher = EnvelopePublisher(channel)
        await asyncio.gather(*(publisher.publish(warm_up_envelope(c)) for c in client_ids))
