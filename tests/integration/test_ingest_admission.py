"""Samples at the boundary: impossible device times are dead-lettered with the reason, samples
that arrive after their session finished are stored in it (and its figures redone), and a
sample that belongs to no session waits on the dead-letter queue until `dead-letters requeue`."""

from __future__ import annotations

import asyncio
import time
import uuid
from argparse import Namespace
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import aio_pika
import psycopg
import pytest
from aio_pika.abc import AbstractChannel, AbstractQueue
from pipeline_helpers import eventually, ride_t0, running, sample_envelope
from psycopg_pool import ConnectionPool

from adapters.amqp import dead_letters_command, names
from adapters.amqp.dead_letters_command import list_dead_letters, requeue_dead_letters
from adapters.eventstore import WattlogStore
from adapters.ingest import main as ingest_main
from adapters.ingest.routes import RouteTable
from adapters.ingest.writer import SessionWriter
from adapters.services.sessions import SessionService
from adapters.settings import Settings
from adapters.simulation.publisher import EnvelopePublisher
from domain.sessions import MAX_CLOCK_SKEW_S, WorkoutSession
from projections import main as projector_main
from wire.envelope import encode_envelope


def stored_seqs(store: WattlogStore, session_id: uuid.UUID) -> list[int]:
    return sorted(e.seq for e in events_named(store, session_id, "SampleRecorded"))


def events_named(store: WattlogStore, session_id: uuid.UUID, kind: str) -> list[Any]:
    return [e for e in store.events.get(session_id) if type(e).__name__ == kind]


async def dead_letter_of(queue: AbstractQueue, body: bytes) -> aio_pika.abc.AbstractIncomingMessage:
    """The dead letter of the message with this body, acknowledged (others are left alone)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        message = await queue.get(fail=False, no_ack=False)
        if message is None:
            await asyncio.sleep(0.1)
            continue
        if message.body == body:
            await message.ack()
            return message
        await message.nack(requeue=True)
    raise AssertionError("the message never arrived on the dead-letter queue")


@pytest.mark.usefixtures("ingest_worker")
@pytest.mark.parametrize(
    ("device_time", "reason"),
    [
        (1e12, "s after the time the sample was received"),
        (datetime(3000, 1, 1).timestamp(), "s after the time the sample was received"),
        ("long before the session", "no session for client"),
    ],
    ids=["year-33658", "year-3000", "before-the-session"],
)
async def test_a_sample_with_an_impossible_device_time_is_dead_lettered_and_the_ride_goes_on(
    store: WattlogStore,
    channel: AbstractChannel,
    publisher: EnvelopePublisher,
    running_session: WorkoutSession,
    device_time: Any,
    reason: str,
) -> None:
    client_id = running_session.client_id
    if device_time == "long before the session":
        device_time = running_session.started_at.timestamp() - MAX_CLOCK_SKEW_S - 3600
    dead_letters = await channel.get_queue(names.DEAD_LETTER_QUEUE, ensure=False)
    hostile = sample_envelope(client_id, [4], t0=device_time - 4 * 0.25)
    await publisher.publish(sample_envelope(client_id, range(0, 4)))
    await publisher.publish(hostile)
    await publisher.publish(sample_envelope(client_id, range(5, 9)))

    message = await dead_letter_of(dead_letters, encode_envelope(hostile))

    refusal = str(message.headers[names.REASON_HEADER])
    assert refusal.startswith("refused by the session: sample seq 4: ")
    assert reason in refusal
    await eventually(lambda: store.repository.get(running_session.id).sample_count == 8)
    assert stored_seqs(store, running_session.id) == [0, 1, 2, 3, 5, 6, 7, 8]


async def test_samples_queued_while_ingest_stalled_are_stored_in_their_finished_session(
    settings: Settings,
    store: WattlogStore,
    sessions: SessionService,
    publisher: EnvelopePublisher,
    running_session: WorkoutSession,
) -> None:
    # The scenario: the broker confirmed the bridge's samples, the ingest worker was
    # stalled, the rider finished the session; then ingest came back.
    session_id, client_id = running_session.id, running_session.client_id
    async with running(ingest_main.serve, settings):
        for first in range(0, 400, 100):
            await publisher.publish(sample_envelope(client_id, range(first, first + 100)))
        await eventually(lambda: store.repository.get(session_id).sample_count == 400)
    for first in range(400, 800, 100):  # confirmed by the broker, no worker to take them
        await publisher.publish(sample_envelope(client_id, range(first, first + 100)))
    sessions.finish(session_id)

    with psycopg.connect(settings.database_url, autocommit=True) as db:
        async with running(ingest_main.serve, settings), running(projector_main.serve, settings):
            await eventually(lambda: store.repository.get(session_id).sample_count == 800)
            late = events_named(store, session_id, "LateSamplesRecorded")
            assert sum(e.count for e in late) == 400

            def summarised_with_every_sample() -> bool:
                row = db.execute(
                    "SELECT status, duration_s FROM session_summaries WHERE session_id = %s",
                    (session_id,),
                ).fetchone()
                return row == ("finished", 200)

            await eventually(summarised_with_every_sample, within_s=60)

    assert stored_seqs(store, session_id) == list(range(800))
    session = store.repository.get(session_id)
    assert session.status == "finished"
    with psycopg.connect(settings.database_url, autocommit=True) as db:
        work = db.execute(
            "SELECT sum(power_w) / 1000, count(*) FROM samples WHERE session_id = %s",
            (session_id,),
        ).fetchone()
        summary = db.execute(
            "SELECT work_kj, tss, ride_day FROM session_summaries WHERE session_id = %s",
            (session_id,),
        ).fetchone()
        fitness_tss = db.execute(
            "SELECT tss FROM athlete_fitness WHERE athlete_id = %s AND day = %s",
            (running_session.athlete_id, summary[2]),
        ).fetchone()
    assert work[1] == 200  # one row per second of the whole ride, the late half included
    assert abs(summary[0] - work[0]) < 1e-6
    assert fitness_tss is not None and abs(fitness_tss[0] - summary[1]) < 1e-9


async def until_listed(
    listed: Callable[[], Awaitable[dict[str, int]]], groups: int
) -> dict[str, int]:
    deadline = time.monotonic() + 30
    found = await listed()
    while len(found) < groups:
        if time.monotonic() > deadline:
            raise AssertionError(f"{groups} dead letters never listed; found {found}")
        await asyncio.sleep(0.2)
        found = await listed()
    return found


@pytest.mark.usefixtures("ingest_worker")
async def test_samples_of_a_client_without_a_session_wait_as_dead_letters_until_requeued(
    settings: Settings,
    store: WattlogStore,
    sessions: SessionService,
    publisher: EnvelopePublisher,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client_id = f"bridge-{uuid.uuid4().hex[:8]}"
    envelopes = [sample_envelope(client_id, range(first, first + 4)) for first in (0, 4, 8)]
    for envelope in envelopes:
        await publisher.publish(envelope)
    reason = f"no session for client {client_id!r} at device time {ride_t0()!r}"

    async def listed() -> dict[str, int]:
        return {
            group.reason: group.count
            for group in await list_dead_letters(settings)
            if client_id in group.reason
        }

    found = await until_listed(listed, 3)
    assert f"refused by the session: sample seq 0: {reason}" in found
    assert sum(found.values()) == 3
    assert await listed() == found  # listing removes nothing
    await asyncio.to_thread(dead_letters_command.run, settings, Namespace(action="list"))
    printed = capsys.readouterr().out
    assert f"      1  ble.events.{client_id:<29}  refused by the session: sample seq 0: " in printed

    # The cause is fixed (the rider starts the session the bridge was recording), and the
    # operator puts the dead letters back.
    session = sessions.start(
        athlete_id=uuid.uuid4(), owner_id=uuid.uuid4(), client_id=client_id, ftp_w=250
    )
    assert await requeue_dead_letters(settings, reason_contains=repr(client_id)) == 3

    await eventually(lambda: store.repository.get(session.id).sample_count == 12)
    assert stored_seqs(store, session.id) == list(range(12))
    assert await listed() == {}


def test_samples_of_a_discarded_ride_are_counted_and_not_stored(
    settings: Settings,
    store: WattlogStore,
    sessions: SessionService,
    running_session: WorkoutSession,
) -> None:
    client_id = running_session.client_id
    sessions.discard(running_session.id, "wrong bike")
    with ConnectionPool(settings.database_url, min_size=1, max_size=1, open=True) as pool:
        writer = SessionWriter(store, RouteTable(pool))

        result = writer.write([sample_envelope(client_id, range(0, 4))])

    assert (result.stored, result.unrouted) == (0, 4)  # ignored, on purpose: not refused
    assert store.repository.get(running_session.id).sample_count == 0
