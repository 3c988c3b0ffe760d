"""Committed events out: live samples to dashboards from the ingest worker, every other
session event (trainer commands to bridges too) from the relay."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from uuid import uuid4

import aio_pika
import orjson
import pytest
from aio_pika.abc import AbstractChannel, AbstractQueue
from pipeline_helpers import live_items, live_queue, relay_from_now, running, sample_envelope

from adapters import live_message
from adapters.amqp import names
from adapters.relay.main import serve as relay
from adapters.services.sessions import SessionService
from adapters.settings import Settings
from adapters.simulation.publisher import EnvelopePublisher
from domain.sessions import WorkoutSession


async def _get(
    queue: AbstractQueue, within_s: float = 10.0
) -> aio_pika.abc.AbstractIncomingMessage:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        message = await queue.get(fail=False, no_ack=True)
        if message is not None:
            return message
        await asyncio.sleep(0.01)
    raise AssertionError(f"nothing arrived on {queue.name} within {within_s}s")


async def _next_samples(queue: AbstractQueue, session: WorkoutSession) -> list[dict[str, Any]]:
    """The session's samples in the next live message that has any."""
    while True:
        samples = live_items((await _get(queue)).body, session.id, "sample")
        if samples:
            return samples


@pytest.mark.usefixtures("ingest_worker")
async def test_live_samples_reach_their_owners_partition_as_the_bridge_publishes_them(
    settings: Settings,
    channel: AbstractChannel,
    publisher: EnvelopePublisher,
    running_session: WorkoutSession,
) -> None:
    # How fast they arrive is measured by ops/bench/ingest.py (bridge-to-live latency).
    live = await live_queue(channel, settings, running_session.owner_id)
    for seq in range(21):
        await publisher.publish(sample_envelope(running_session.client_id, [seq]))
        [body] = await _next_samples(live, running_session)
        assert body["seq"] == seq
        assert body["values"]["power_w"] == 200 + seq


@pytest.mark.usefixtures("ingest_worker")
async def test_the_samples_of_one_commit_travel_in_one_live_message(
    settings: Settings,
    channel: AbstractChannel,
    publisher: EnvelopePublisher,
    running_session: WorkoutSession,
) -> None:
    live = await live_queue(channel, settings, running_session.owner_id)
    await publisher.publish(sample_envelope(running_session.client_id, range(40)))
    samples = await _next_samples(live, running_session)
    assert [body["seq"] for body in samples] == list(range(40))
    assert len({body["n"] for body in samples}) == 40


@pytest.mark.usefixtures("ingest_worker")
async def test_samples_sent_again_go_live_again_as_items_a_reader_recognises(
    settings: Settings,
    channel: AbstractChannel,
    publisher: EnvelopePublisher,
    running_session: WorkoutSession,
) -> None:
    # What a worker sees again after a crash between its commit and its ack may never have
    # gone live: it goes again, and the reader drops what it has seen.
    live = await live_queue(channel, settings, running_session.owner_id)
    await publisher.publish(sample_envelope(running_session.client_id, range(5)))
    first = await _next_samples(live, running_session)
    await publisher.publish(sample_envelope(running_session.client_id, range(5)))
    again = await _next_samples(live, running_session)
    assert [body["seq"] for body in again] == list(range(5))
    assert [live_message.dedup_key(body) for body in again] == [
        live_message.dedup_key(body) for body in first
    ]
    assert [body["values"] for body in again] == [body["values"] for body in first]


@pytest.mark.usefixtures("ingest_worker", "relay")
async def test_each_sample_goes_live_once_and_session_events_go_live_through_the_relay(
    settings: Settings,
    channel: AbstractChannel,
    publisher: EnvelopePublisher,
    sessions: SessionService,
    running_session: WorkoutSession,
) -> None:
    live = await live_queue(channel, settings, running_session.owner_id)
    await publisher.publish(sample_envelope(running_session.client_id, range(10)))
    command_id = uuid4()
    sessions.issue_command(running_session.id, command_id, "target_power", 230, uuid4())
    seqs: list[int] = []
    commands: list[str] = []
    deadline = time.monotonic() + 10
    while not commands or len(seqs) < 10:
        assert time.monotonic() < deadline, (seqs, commands)
        message = await _get(live)
        for body in live_items(message.body, running_session.id):
            if body["kind"] == "sample":
                seqs.append(body["seq"])
            elif body["kind"] == "command":
                commands.append(body["command_id"])
    await asyncio.sleep(1.0)  # anything the relay would send too has arrived by now
    while (message := await live.get(fail=False, no_ack=True)) is not None:
        seqs.extend(body["seq"] for body in live_items(message.body, running_session.id, "sample"))
    assert sorted(seqs) == list(range(10))
    assert commands == [str(command_id)]


@pytest.mark.usefixtures("relay")
async def test_a_command_issued_to_a_running_session_reaches_the_bridges_command_queue(
    channel: AbstractChannel, sessions: SessionService, running_session: WorkoutSession
) -> None:
    command_id = uuid4()
    sessions.issue_command(running_session.id, command_id, "target_power", 250, uuid4())

    queue = await _wait_for_queue(channel, names.command_queue(running_session.client_id))
    message = await _get(queue)
    body = orjson.loads(message.body)
    assert body["command_id"] == str(command_id)
    assert (body["kind"], body["value"]) == ("target_power", 250)


async def test_a_command_older_than_its_time_to_live_never_reaches_the_bridge(
    settings: Settings,
    channel: AbstractChannel,
    sessions: SessionService,
    running_session: WorkoutSession,
) -> None:
    short_lived = settings.replace(command_ttl_ms=300)
    sessions.issue_command(running_session.id, uuid4(), "target_power", 300, uuid4())
    await asyncio.sleep(0.6)  # the relay is down for longer than the command may live
    relay_from_now(short_lived)
    async with running(relay, short_lived):
        fresh = uuid4()
        sessions.issue_command(running_session.id, fresh, "slope", 2.5, uuid4())
        queue = await _wait_for_queue(channel, names.command_queue(running_session.client_id))
        message = await _get(queue)
    assert orjson.loads(message.body)["command_id"] == str(fresh)
    assert await queue.get(fail=False) is None


async def _wait_for_queue(channel: AbstractChannel, name: str) -> AbstractQueue:
    for _ in range(100):
        try:
            return await channel.get_queue(name, ensure=True)
        except aio_pika.exceptions.ChannelClosed:
            await channel.reopen()
            await asyncio.sleep(0.1)
    raise AssertionError(f"queue {name} was never declared")
