"""Bridge envelopes in, events in the store: completeness, order, idempotence, poison."""

from __future__ import annotations

import asyncio
import time
import uuid

import aio_pika
import orjson
import pytest
from aio_pika.abc import AbstractChannel
from pipeline_helpers import eventually, sample_envelope

from adapters.amqp import names
from adapters.eventstore import WattlogStore
from adapters.services.sessions import SessionService
from adapters.simulation.publisher import EnvelopePublisher
from domain.sessions import WorkoutSession
from wire.envelope import Ack, Envelope, encode_envelope

pytestmark = pytest.mark.usefixtures("ingest_worker")


def recorded(store: WattlogStore, session: WorkoutSession) -> list[WorkoutSession.SampleRecorded]:
    return [e for e in store.events.get(session.id) if isinstance(e, WorkoutSession.SampleRecorded)]


async def test_a_four_minute_ride_at_ten_notifications_a_second_arrives_complete_and_in_order(
    store: WattlogStore, publisher: EnvelopePublisher, running_session: WorkoutSession
) -> None:
    client_id = running_session.client_id
    total = 4 * 60 * 10
    for start in range(0, total, 4):
        await publisher.publish(sample_envelope(client_id, range(start, start + 4), step=0.1))

    await eventually(lambda: store.repository.get(running_session.id).sample_count == total)

    seqs = [e.seq for e in recorded(store, running_session)]
    assert seqs == list(range(total))
    rebuilt = store.repository.get(running_session.id)
    assert rebuilt.sample_count == total
    assert rebuilt.samples_by_characteristic == {"2ad2": total}


async def test_the_same_bridge_message_published_twice_is_stored_once(
    store: WattlogStore, publisher: EnvelopePublisher, running_session: WorkoutSession
) -> None:
    envelope = sample_envelope(running_session.client_id, range(0, 8))
    await publisher.publish(envelope)
    await publisher.publish(envelope)
    await publisher.publish(sample_envelope(running_session.client_id, range(8, 9)))

    await eventually(lambda: store.repository.get(running_session.id).sample_count >= 9)
    await asyncio.sleep(0.5)  # give a wrongly stored duplicate the time to show up

    assert [e.seq for e in recorded(store, running_session)] == list(range(9))


async def test_samples_of_a_bridge_without_any_session_are_dead_lettered_not_dropped(
    store: WattlogStore,
    channel: AbstractChannel,
    publisher: EnvelopePublisher,
    running_session: WorkoutSession,
) -> None:
    dead_letters = await channel.get_queue(names.DEAD_LETTER_QUEUE, ensure=False)
    orphan = sample_envelope("bridge-with-no-session", range(0, 4))
    await publisher.publish(orphan)
    await publisher.publish(sample_envelope(running_session.client_id, range(0, 1)))

    message = await _dead_letter_of(dead_letters, encode_envelope(orphan))
    assert "no session for client 'bridge-with-no-session' at device time" in str(
        message.headers[names.REASON_HEADER]
    )
    await eventually(lambda: store.repository.get(running_session.id).sample_count == 1)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json at all", "body is not JSON"),
        (orjson.dumps({"v": 99, "type": "samples"}), "unsupported protocol version 99"),
        (
            orjson.dumps(
                {
                    "v": 1,
                    "type": "samples",
                    "client_id": "CLIENT",
                    "sent_at": 1.0,
                    "correlation_id": "c",
                    "samples": [{"seq": -1, "t": 1.0, "sensor": "s", "char": "2ad2", "raw": ""}],
                }
            ),
            "samples[0].seq must be a non-negative integer",
        ),
    ],
)
async def test_a_malformed_message_is_dead_lettered_with_its_reason_and_the_worker_goes_on(
    store: WattlogStore,
    channel: AbstractChannel,
    publisher: EnvelopePublisher,
    running_session: WorkoutSession,
    body: bytes,
    reason: str,
) -> None:
    client_id = running_session.client_id
    dead_letters = await channel.get_queue(names.DEAD_LETTER_QUEUE, ensure=False)
    await publisher.publish_raw(client_id, body.replace(b"CLIENT", client_id.encode()))

    sent = body.replace(b"CLIENT", client_id.encode())
    message = await _dead_letter_of(dead_letters, sent)
    assert reason in str(message.headers[names.REASON_HEADER])

    await publisher.publish(sample_envelope(client_id, range(0, 2)))
    await eventually(lambda: store.repository.get(running_session.id).sample_count == 2)


async def test_an_envelope_claiming_another_bridge_is_dead_lettered(
    channel: AbstractChannel, publisher: EnvelopePublisher, running_session: WorkoutSession
) -> None:
    dead_letters = await channel.get_queue(names.DEAD_LETTER_QUEUE, ensure=False)
    forged = encode_envelope(sample_envelope(running_session.client_id, range(0, 1)))
    await publisher.publish_raw("some-other-bridge", forged)

    message = await _dead_letter_of(dead_letters, forged)
    assert "does not match the sender 'some-other-bridge'" in str(
        message.headers[names.REASON_HEADER]
    )


async def _dead_letter_of(
    queue: aio_pika.abc.AbstractQueue, body: bytes
) -> aio_pika.abc.AbstractIncomingMessage:
    """The dead letter of the message with this body (other tests' dead letters are skipped,
    however many there are)."""
    deadline = asyncio.get_running_loop().time() + 20
    while asyncio.get_running_loop().time() < deadline:
        message = await queue.get(fail=False)
        if message is None:
            await asyncio.sleep(0.1)
            continue
        await message.ack()
        if message.body == body:
            return message
    raise AssertionError("the message never arrived on the dead-letter queue")


async def test_an_envelope_its_session_refuses_is_dead_lettered_and_the_rest_of_the_batch_stored(
    store: WattlogStore,
    channel: AbstractChannel,
    publisher: EnvelopePublisher,
    running_session: WorkoutSession,
) -> None:
    client_id = running_session.client_id
    dead_letters = await channel.get_queue(names.DEAD_LETTER_QUEUE, ensure=False)
    before_1970 = sample_envelope(client_id, range(4, 8), t0=-10.0)
    await publisher.publish(sample_envelope(client_id, range(0, 4)))
    await publisher.publish(before_1970)
    await publisher.publish(sample_envelope(client_id, range(8, 12)))

    message = await _dead_letter_of(dead_letters, encode_envelope(before_1970))
    assert "refused by the session: sample seq 4: device_time" in str(
        message.headers[names.REASON_HEADER]
    )
    await eventually(lambda: store.repository.get(running_session.id).sample_count == 8)
    assert [e.seq for e in recorded(store, running_session)] == [0, 1, 2, 3, 8, 9, 10, 11]


async def test_a_bridges_acknowledgement_of_a_command_becomes_an_event_of_its_session(
    store: WattlogStore,
    sessions: SessionService,
    publisher: EnvelopePublisher,
    running_session: WorkoutSession,
) -> None:
    client_id = running_session.client_id
    await publisher.publish(sample_envelope(client_id, range(0, 4)))  # the worker caches it
    await eventually(lambda: store.repository.get(running_session.id).sample_count == 4)
    accepted, refused = uuid.uuid4(), uuid.uuid4()
    sessions.issue_command(running_session.id, accepted, "target_power", 250, uuid.uuid4())
    sessions.issue_command(running_session.id, refused, "slope", 3.0, uuid.uuid4())

    await publisher.publish(
        Envelope(
            client_id,
            time.time(),
            "ack-1",
            acks=(Ack(accepted, 1), Ack(refused, 5)),
            kind="ack",
        )
    )

    await eventually(lambda: store.repository.get(running_session.id).commands_failed == 1)
    session = store.repository.get(running_session.id)
    assert (session.commands_acknowledged, session.commands_failed) == (1, 1)
    assert session.pending_command_ids == frozenset()
