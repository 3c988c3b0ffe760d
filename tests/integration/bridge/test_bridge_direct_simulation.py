"""`--simulate` without bumble: the virtual devices handed over in-process still go through
the decoder, the outbox, the broker and the control point procedure."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import aio_pika
from aio_pika.abc import AbstractChannel
from bridge_harness import BridgeAccount, bridge_config, running_bridge
from pipeline_helpers import eventually

from adapters.amqp import names
from adapters.settings import Settings
from bridge.app import Bridge
from bridge.sim_direct import DirectRide
from bridge.simulator.physics import TrainerMode
from wire.commands import encode_command


async def test_the_in_process_simulation_sends_samples_and_follows_commands(
    settings: Settings, channel: AbstractChannel, bridge_account: BridgeAccount, tmp_path: Path
) -> None:
    rides: list[DirectRide] = []

    def direct(bridge: Bridge) -> DirectRide:
        rides.append(DirectRide(bridge.recorder.enqueue, bridge.controller, rate_hz=8.0))
        return rides[0]

    config = bridge_config(bridge_account, f"amqp://127.0.0.1:5672/{settings.amqp_vhost}", tmp_path)
    async with running_bridge(config, direct) as bridge:
        await eventually(lambda: bridge.status.forward.confirmed >= 20, 30)
        await eventually(lambda: bridge.status.commands_ready and bridge.controller.ready, 30)
        commands = await channel.get_exchange(names.COMMANDS_EXCHANGE, ensure=False)
        await commands.publish(
            aio_pika.Message(
                encode_command(uuid.uuid4(), uuid.uuid4(), "target_power", 210, time.time())
            ),
            routing_key=bridge_account.client_id,
        )

        await eventually(lambda: bridge.status.forward.acks_confirmed == 1, 30)
        state = rides[0].trainer.physics.state
        assert state.mode is TrainerMode.ERG and state.target_power_w == 210
        assert bridge.status.decode_errors == 0
