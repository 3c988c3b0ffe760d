"""A worker killed mid-ride (SIGKILL) loses nothing and duplicates nothing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from uuid import uuid4

from aio_pika.abc import AbstractChannel
from pipeline_helpers import (
    eventually,
    live_items,
    live_queue,
    relay_from_now,
    sample_envelope,
)
from processes import WattlogProcess

from adapters.eventstore import WattlogStore
from adapters.services.sessions import SessionService
from adapters.settings import Settings
from adapters.simulation.publisher import EnvelopePublisher
from domain.sessions import WorkoutSession

Spawn = Callable[..., WattlogProcess]
TOTAL = 2400  # four minutes at ten notifications per second (device times stay near now)
COMMANDS = 200


def stored_seqs(store: WattlogStore, session: WorkoutSession) -> list[int]:
    return [e.seq for e in store.events.get(session.id) if type(e).__name__ == "SampleRecorded"]


async def publish_ride(publisher: EnvelopePublisher, client_id: str, progress: list[int]) -> None:
    for start in range(0, TOTAL, 4):
        await publisher.publish(sample_envelope(client_id, range(start, start + 4), step=0.1))
        progress[0] = start + 4
        await asyncio.sleep(0.002)


async def test_killing_the_ingest_worker_mid_ride_loses_and_duplicates_nothing(
    spawn: Spawn,
    store: WattlogStore,
    publisher: EnvelopePublisher,
    running_session: WorkoutSession,
) -> None:
    first = spawn("ingest")
    progress = [0]
    ride = asyncio.create_task(publish_ride(publisher, running_session.client_id, progress))
    await eventually(lambda: store.repository.get(running_session.id).sample_count > 400)

    first.kill()
    spawn("ingest")
    await ride
    await eventually(lambda: store.repository.get(running_session.id).sample_count == TOTAL, 60)

    assert stored_seqs(store, running_session) == list(range(TOTAL))


async def test_a_second_ingest_worker_takes_over_the_shards_of_one_that_dies(
    spawn: Spawn,
    store: WattlogStore,
    publisher: EnvelopePublisher,
    running_session: WorkoutSession,
) -> None:
    active, standby = spawn("ingest"), spawn("ingest")
    await asyncio.sleep(2)  # both subscribed; each shard has one active consumer
    progress = [0]
    ride = asyncio.create_task(publish_ride(publisher, running_session.client_id, progress))
    await eventually(lambda: store.repository.get(running_session.id).sample_count > 400)

    # Whichever holds the shard dies; the other one carries on without a restart.
    active.kill()
    await ride
    await eventually(lambda: store.repository.get(running_session.id).sample_count == TOTAL, 60)
    assert stored_seqs(store, running_session) == list(range(TOTAL))
    assert standby.process is not None and standby.process.poll() is None


async def test_killing_the_ingest_worker_mid_ride_delivers_every_live_sample(
    spawn: Spawn,
    settings: Settings,
    channel: AbstractChannel,
    publisher: EnvelopePublisher,
    running_session: WorkoutSession,
) -> None:
    # Samples go live from the worker that commits them, before it acknowledges them: a
    # kill between the two redelivers them to the next worker, which sends them again.
    live = await live_queue(channel, settings, running_session.owner_id)
    received: set[int] = set()

    async def on_message(message: object) -> None:
        for body in live_items(message.body, running_session.id, "sample"):  # type: ignore[attr-defined]
            received.add(body["seq"])

    await live.consume(on_message, no_ack=True)
    first = spawn("ingest")
    progress = [0]
    ride = asyncio.create_task(publish_ride(publisher, running_session.client_id, progress))
    await eventually(lambda: len(received) > 400)
    first.kill()
    spawn("ingest")
    await ride
    await eventually(lambda: len(received) == TOTAL, 60)

    assert sorted(received) == list(range(TOTAL))


async def test_killing_the_relay_mid_ride_delivers_every_command_to_the_live_feed(
    spawn: Spawn,
    settings: Settings,
    channel: AbstractChannel,
    sessions: SessionService,
    running_session: WorkoutSession,
) -> None:
    live = await live_queue(channel, settings, running_session.owner_id)
    received: set[str] = set()

    async def on_message(message: object) -> None:
        for body in live_items(message.body, running_session.id, "command"):  # type: ignore[attr-defined]
            received.add(body["command_id"])

    await live.consume(on_message, no_ack=True)
    relay_from_now(settings)
    first = spawn("relay")
    issued: list[str] = []
    for watts in range(COMMANDS):
        command_id = uuid4()
        sessions.issue_command(running_session.id, command_id, "target_power", 100 + watts, uuid4())
        issued.append(str(command_id))
        if watts == COMMANDS // 2:
            await eventually(lambda: len(received) > 0)
            first.kill()
            spawn("relay")
        await asyncio.sleep(0.01)
    await eventually(lambda: len(received) == COMMANDS, 60)

    assert received == set(issued)


async def test_a_standby_relay_waits_while_another_is_active(spawn: Spawn) -> None:
    active = spawn("relay")
    await asyncio.sleep(1.5)
    standby = spawn("relay")
    deadline = time.monotonic() + 15
    while "standing by" not in standby.log_text():
        assert time.monotonic() < deadline, standby.log_text()
        await asyncio.sleep(0.2)
    active.kill()
    while "relay active" not in standby.log_text():
        assert time.monotonic() < deadline, standby.log_text()
        await asyncio.sleep(0.2)
