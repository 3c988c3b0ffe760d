"""The ingest worker keeps going for every tenant: through hostile envelopes of one bridge,
and through the loss of its broker connection."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable

import aio_pika
import pytest
from aio_pika.abc import AbstractChannel
from broker_admin import close_connections, consumers
from pipeline_helpers import eventually, sample_envelope

from adapters.amqp import names
from adapters.amqp.topology import declare_topology
from adapters.eventstore import WattlogStore
from adapters.services.sessions import SessionService
from adapters.settings import Settings
from adapters.simulation.publisher import EnvelopePublisher
from domain.sessions import WorkoutSession
from wire.envelope import encode_envelope

pytestmark = pytest.mark.usefixtures("ingest_worker")


def recorded_seqs(store: WattlogStore, session: WorkoutSession) -> list[int]:
    return [
        e.seq for e in store.events.get(session.id) if isinstance(e, WorkoutSession.SampleRecorded)
    ]


def start_session(sessions: SessionService) -> WorkoutSession:
    return sessions.start(
        athlete_id=uuid.uuid4(),
        owner_id=uuid.uuid4(),
        client_id=f"bridge-{uuid.uuid4().hex[:8]}",
        ftp_w=250,
    )


def hostile(client_id: str, seq: int, **sample_fields: object) -> bytes:
    """A well-formed envelope whose one sample its session must refuse."""
    envelope = json.loads(encode_envelope(sample_envelope(client_id, [0])))
    envelope["samples"][0].update(seq=seq, **sample_fields)
    return json.dumps(envelope).encode()


async def dead_letters_of(
    queue: aio_pika.abc.AbstractQueue, bodies: set[bytes], within_s: float = 30.0
) -> dict[bytes, str]:
    """The reasons of the dead letters with these bodies (others' dead letters are skipped)."""
    found: dict[bytes, str] = {}
    deadline = asyncio.get_running_loop().time() + within_s
    while found.keys() != bodies:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"dead letters missing: {len(bodies - found.keys())}")
        message = await queue.get(fail=False)
        if message is None:
            await asyncio.sleep(0.1)
            continue
        await message.ack()
        if message.body in bodies:
            found[message.body] = str((message.headers or {}).get(names.REASON_HEADER))
    return found


async def test_hostile_envelopes_are_dead_lettered_and_the_worker_goes_on_for_every_tenant(
    store: WattlogStore,
    sessions: SessionService,
    channel: AbstractChannel,
    publisher: EnvelopePublisher,
) -> None:
    tenant_a, hostile_bridge = start_session(sessions), start_session(sessions)
    dead_letters = await channel.get_queue(names.DEAD_LETTER_QUEUE, ensure=False)
    too_big_seq = hostile(hostile_bridge.client_id, 2**63)
    negative_time = hostile(hostile_bridge.client_id, 1, t=-1.0)
    too_big_again = hostile(hostile_bridge.client_id, 2**63 + 1)

    await publisher.publish(sample_envelope(tenant_a.client_id, range(0, 4)))
    await publisher.publish_raw(hostile_bridge.client_id, too_big_seq)
    await publisher.publish(sample_envelope(tenant_a.client_id, range(4, 8)))
    await publisher.publish_raw(hostile_bridge.client_id, negative_time)
    await publisher.publish(sample_envelope(tenant_a.client_id, range(8, 12)))
    # The hostile sample last, alone in its batch: the batch's highest delivery tag.
    await publisher.publish_raw(hostile_bridge.client_id, too_big_again)

    reasons = await dead_letters_of(dead_letters, {too_big_seq, negative_time, too_big_again})
    assert "seq must be an int" in reasons[too_big_seq]
    assert "seq must be an int" in reasons[too_big_again]
    assert "device_time must be a finite number >= 0" in reasons[negative_time]

    # The worker is still running: what comes next is stored too.
    await publisher.publish(sample_envelope(tenant_a.client_id, range(12, 16)))
    await eventually(lambda: store.repository.get(tenant_a.id).sample_count == 16)
    assert recorded_seqs(store, tenant_a) == list(range(16))
    assert recorded_seqs(store, hostile_bridge) == []


async def test_after_its_broker_connection_is_closed_the_worker_consumes_again_and_loses_nothing(
    settings: Settings,
    store: WattlogStore,
    publisher: EnvelopePublisher,
    running_session: WorkoutSession,
) -> None:
    client_id = running_session.client_id
    for start in range(0, 200, 4):
        await publisher.publish(sample_envelope(client_id, range(start, start + 4)))
    await eventually(lambda: store.repository.get(running_session.id).sample_count >= 100)

    assert await close_connections(settings.amqp_vhost, "ingest") == 1

    for start in range(200, 400, 4):
        await publisher.publish(sample_envelope(client_id, range(start, start + 4)))
    await eventually(lambda: store.repository.get(running_session.id).sample_count == 400, 60)
    assert recorded_seqs(store, running_session) == list(range(400))
    # The management API refreshes its figures every few seconds: wait for them.
    for index in range(settings.ingest_shards):
        await eventually_async(
            lambda index=index: consumers(settings.amqp_vhost, names.shard_queue(index)), 1
        )


async def test_after_its_shard_queues_are_deleted_and_declared_again_the_worker_consumes_them(
    settings: Settings,
    store: WattlogStore,
    channel: AbstractChannel,
    publisher: EnvelopePublisher,
    running_session: WorkoutSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The broker cancels the worker's consumers when their queues go, and the worker says
    # so. (Declared again at once, before the cancel arrives, RabbitMQ would leave the old
    # consumers attached to nothing: a broker quirk, so the test waits for the warning.)
    caplog.set_level(logging.INFO, logger="adapters.ingest.consumer")

    def worker_says(message: str) -> bool:
        return any(record.getMessage() == message for record in caplog.records)

    for index in range(settings.ingest_shards):
        await channel.queue_delete(names.shard_queue(index))
    await eventually(lambda: worker_says("ingest is not consuming every shard"))
    await declare_topology(channel, settings)  # as `wattlog topology` does
    await eventually(lambda: worker_says("ingest consuming every shard again"))

    await publisher.publish(sample_envelope(running_session.client_id, range(8)))
    await eventually(lambda: store.repository.get(running_session.id).sample_count == 8, 30)
    assert recorded_seqs(store, running_session) == list(range(8))


async def eventually_async(
    read: Callable[[], Awaitable[object]], expected: object, within_s: float = 30.0
) -> None:
    deadline = asyncio.get_running_loop().time() + within_s
    while (value := await read()) != expected:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"still {value!r}, expected {expected!r} after {within_s}s")
        await asyncio.sleep(0.5)
