"""Done when (issue 6): a command issued through the API path (SessionService, relay) reaches
the simulated trainer, which changes its power accordingly, and the trainer's
acknowledgement comes back through the ingest worker as an event."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from bridge_harness import BridgeAccount, Riding, bridge_config, running_bridge
from pipeline_helpers import eventually

from adapters.eventstore import WattlogStore
from adapters.services.sessions import SessionService
from adapters.settings import Settings
from bridge.simulation import EmulatedRide
from bridge.simulator.physics import TrainerMode
from domain.sessions import WorkoutSession

pytestmark = pytest.mark.usefixtures("ingest_worker", "relay")


def events_of(store: WattlogStore, session: WorkoutSession, name: str) -> list[Any]:
    return [e for e in store.events.get(session.id) if type(e).__name__ == name]


def trainer_power(store: WattlogStore, session: WorkoutSession, last: int) -> list[float]:
    samples = [
        e
        for e in events_of(store, session, "SampleRecorded")
        if e.characteristic == "2ad2" and "power_w" in e.values
    ]
    return [e.values["power_w"] for e in samples[-last:]]


async def test_an_erg_command_changes_the_trainers_power_and_is_acknowledged_as_an_event(
    settings: Settings,
    store: WattlogStore,
    sessions: SessionService,
    bridge_session: WorkoutSession,
    bridge_account: BridgeAccount,
    tmp_path: Path,
) -> None:
    session = bridge_session
    config = bridge_config(bridge_account, f"amqp://127.0.0.1:5672/{settings.amqp_vhost}", tmp_path)
    ride = Riding(EmulatedRide(rate_hz=4.0))
    async with ride, running_bridge(config, ride.ride) as bridge:
        await eventually(
            lambda: bridge.controller.ready and bridge.status.broker == "connected", 30
        )
        await eventually(lambda: len(trainer_power(store, session, 4)) == 4, 30)
        assert all(abs(w - 320) > 50 for w in trainer_power(store, session, 4))
        command_id = uuid.uuid4()

        await asyncio.get_running_loop().run_in_executor(
            None,
            sessions.issue_command,
            session.id,
            command_id,
            "target_power",
            320.0,
            uuid.uuid4(),
        )

        await eventually(lambda: bool(events_of(store, session, "CommandAcknowledged")), 30)
        physics = ride.ride.trainer.trainer.physics
        assert physics.state.mode is TrainerMode.ERG and physics.state.target_power_w == 320
        await eventually(
            lambda: all(abs(w - 320) <= 5 for w in trainer_power(store, session, 4)), 30
        )

    acknowledged = events_of(store, session, "CommandAcknowledged")
    assert [e.command_id for e in acknowledged] == [command_id]
    assert not events_of(store, session, "CommandFailed")
    assert bridge.commands.stats.applied == 1


async def test_a_slope_command_puts_the_trainer_into_simulation_at_that_grade(
    settings: Settings,
    store: WattlogStore,
    sessions: SessionService,
    bridge_session: WorkoutSession,
    bridge_account: BridgeAccount,
    tmp_path: Path,
) -> None:
    session = bridge_session
    config = bridge_config(bridge_account, f"amqp://127.0.0.1:5672/{settings.amqp_vhost}", tmp_path)
    ride = Riding(EmulatedRide(rate_hz=4.0))
    async with ride, running_bridge(config, ride.ride) as bridge:
        await eventually(
            lambda: bridge.controller.ready and bridge.status.broker == "connected", 30
        )
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(
            None,
            sessions.issue_command,
            session.id,
            uuid.uuid4(),
            "target_power",
            200.0,
            uuid.uuid4(),
        )
        await eventually(lambda: len(events_of(store, session, "CommandAcknowledged")) == 1, 30)

        await loop.run_in_executor(
            None, sessions.issue_command, session.id, uuid.uuid4(), "slope", 6.5, uuid.uuid4()
        )

        await eventually(lambda: len(events_of(store, session, "CommandAcknowledged")) == 2, 30)
        state = ride.ride.trainer.trainer.physics.state
        assert state.mode is TrainerMode.SIMULATION
        assert state.simulation.grade_pct == 6.5
