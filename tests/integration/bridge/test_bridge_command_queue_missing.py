"""A bridge whose command queue does not exist yet (registration not finished) still sends
its samples, says why commands do not arrive, and picks them up once the queue exists.
The bridge's user cannot declare anything, so it never tries."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aio_pika
import aiohttp
import pytest
from aio_pika.abc import AbstractChannel
from bridge_harness import BridgeAccount, Riding, bridge_config, running_bridge
from pipeline_helpers import eventually

from adapters.amqp import names
from adapters.amqp.accounts import BridgeAccounts
from adapters.amqp.topology import declare_command_queue
from adapters.settings import Settings
from bridge.simulation import EmulatedRide
from wire.commands import encode_command


@pytest.fixture
async def unregistered_bridge(settings: Settings, run_id: str) -> AsyncIterator[BridgeAccount]:
    client_id = f"{run_id}-{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(24)
    async with aiohttp.ClientSession() as http:
        accounts = BridgeAccounts(settings, http)
        await accounts.create(client_id, password)
        try:
            yield BridgeAccount(client_id, password)
        finally:
            await accounts.delete(client_id)


async def test_samples_flow_and_commands_start_once_the_command_queue_is_declared(
    settings: Settings,
    channel: AbstractChannel,
    unregistered_bridge: BridgeAccount,
    tmp_path: Path,
) -> None:
    url = f"amqp://127.0.0.1:5672/{settings.amqp_vhost}"
    config = bridge_config(unregistered_bridge, url, tmp_path)
    ride = Riding(EmulatedRide())
    async with ride, running_bridge(config, ride.ride) as bridge:
        await eventually(lambda: bridge.status.forward.confirmed >= 10, 30)
        await eventually(lambda: bridge.status.last_error is not None, 10)
        assert bridge.status.last_error is not None
        assert "commands" in bridge.status.last_error[1]
        assert "NOT_FOUND" in bridge.status.last_error[1]

        await declare_command_queue(channel, settings, unregistered_bridge.client_id)
        commands = await channel.get_exchange(names.COMMANDS_EXCHANGE, ensure=False)
        await eventually(lambda: bridge.controller.ready and bridge.status.commands_ready, 30)
        await commands.publish(
            aio_pika.Message(
                encode_command(uuid.uuid4(), uuid.uuid4(), "target_power", 180, time.time())
            ),
            routing_key=unregistered_bridge.client_id,
        )

        await eventually(lambda: bridge.commands.stats.applied == 1, 30)
        assert ride.ride.trainer.trainer.physics.state.target_power_w == 180
