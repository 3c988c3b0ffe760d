"""A session with a structured workout: the ingest worker runs it on the ride's samples, and
its ERG targets are stored as the session's commands and reach the bridge."""

from __future__ import annotations

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
from domain.sessions import WORKOUT_ISSUER, WorkoutSession
from domain.workouts import Step, Workout

# 5 s at 150 W, then 5 s at 120 % of FTP (300 W at 250 W), then the workout ends.
WORKOUT = Workout(
    "Openers",
    "",
    "",
    "bike",
    (
        Step(0, 5, "steady", 150, 150, "watts", None),
        Step(5, 5, "interval_on", 1.2, 1.2, "ftp_fraction", None),
    ),
)


@pytest.fixture
def session_with_workout(sessions: SessionService) -> WorkoutSession:
    return sessions.start(
        athlete_id=uuid.uuid4(),
        owner_id=uuid.uuid4(),
        client_id=f"bridge-{uuid.uuid4().hex[:8]}",
        ftp_w=250,
        workout=WORKOUT.as_dict(),
    )


def workout_commands(store: WattlogStore, session_id: uuid.UUID) -> list[tuple[str, float]]:
    return [
        (event.kind, event.value)
        for event in store.repository.event_store.get(session_id)
        if type(event).__name__ == "CommandIssued" and event.issued_by == WORKOUT_ISSUER
    ]


@pytest.mark.usefixtures("ingest_worker", "relay")
async def test_a_ridden_workout_sets_the_trainers_targets_once_each(
    store: WattlogStore,
    channel: AbstractChannel,
    publisher: EnvelopePublisher,
    session_with_workout: WorkoutSession,
) -> None:
    session_id, client_id = session_with_workout.id, session_with_workout.client_id
    expected = [("target_power", 150.0), ("target_power", 300.0), ("slope", 0.0)]
    for second in range(12):  # 12 s of riding, one envelope a second...
        envelope = sample_envelope(client_id, range(second * 4, second * 4 + 4))
        await publisher.publish(envelope)
        await publisher.publish(envelope)  # ...each delivered twice
        stored = 4 * (second + 1)
        await eventually(lambda n=stored: store.repository.get(session_id).sample_count == n)
    assert workout_commands(store, session_id) == expected
    assert store.repository.get(session_id).sample_count == 48

    queue = await channel.get_queue(names.command_queue(client_id), ensure=True)
    received = []
    while len(received) < len(expected):
        message = await queue.get(timeout=10, no_ack=True)
        assert isinstance(message, aio_pika.IncomingMessage)
        body = orjson.loads(message.body)
        received.append((body["kind"], body["value"]))
    assert received == expected


@pytest.mark.usefixtures("ingest_worker", "relay")
async def test_a_riders_target_holds_until_the_next_step_and_intensity_scales_the_workout(
    store: WattlogStore,
    sessions: SessionService,
    channel: AbstractChannel,
    publisher: EnvelopePublisher,
    session_with_workout: WorkoutSession,
) -> None:
    session_id, client_id = session_with_workout.id, session_with_workout.client_id
    rider = uuid.uuid4()

    async def ride(seconds: range) -> None:
        for second in seconds:
            await publisher.publish(sample_envelope(client_id, range(second * 4, second * 4 + 4)))
            stored = 4 * (second + 1)
            await eventually(lambda n=stored: store.repository.get(session_id).sample_count == n)

    await ride(range(2))  # the 150 W step
    sessions.issue_command(session_id, uuid.uuid4(), "target_power", 210, rider)
    await ride(range(2, 4))  # still the first step: the rider's 210 W holds
    assert store.repository.get(session_id).target_in_force == ("target_power", 210.0, "rider")
    sessions.change_workout_intensity(session_id, 90)  # back to the workout, at 90 %
    await ride(range(4, 5))
    await ride(range(5, 7))  # the 300 W interval at 90 %
    assert workout_commands(store, session_id) == [
        ("target_power", 150.0),
        ("target_power", 135.0),
        ("target_power", 270.0),
    ]
    queue = await channel.get_queue(names.command_queue(client_id), ensure=True)
    received = []
    while len(received) < 4:
        message = await queue.get(timeout=10, no_ack=True)
        assert isinstance(message, aio_pika.IncomingMessage)
        received.append(orjson.loads(message.body)["value"])
    assert received == [150.0, 210.0, 135.0, 270.0]
