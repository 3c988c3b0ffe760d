"""The bridge sends live samples together every `send_interval_s`, not one envelope per
notification; what it sends is still every sample once, in order. What the bridge publishes
is captured by a queue bound (as admin) next to the ingest's."""

from __future__ import annotations

from pathlib import Path

import orjson
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from bridge_harness import BridgeAccount, Riding, bridge_config, running_bridge
from pipeline_helpers import eventually

from adapters.amqp import names
from adapters.settings import Settings
from bridge.simulation import EmulatedRide

SAMPLES = 40  # ten seconds of a 4 Hz ride


async def _captured_envelopes(
    settings: Settings,
    channel: AbstractChannel,
    bridge_account: BridgeAccount,
    tmp_path: Path,
    send_interval_s: float,
) -> list[list[int]]:
    envelopes: list[list[int]] = []  # the seqs of each samples envelope, in publish order
    capture = await channel.declare_queue(exclusive=True, auto_delete=True)
    events = await channel.get_exchange(names.EVENTS_EXCHANGE, ensure=False)
    await capture.bind(events, routing_key=names.events_routing_key(bridge_account.client_id))

    async def on_message(message: AbstractIncomingMessage) -> None:
        body = orjson.loads(message.body)
        if body.get("samples"):
            envelopes.append([sample["seq"] for sample in body["samples"]])

    await capture.consume(on_message, no_ack=True)
    url = f"amqp://127.0.0.1:5672/{settings.amqp_vhost}"
    config = bridge_config(bridge_account, url, tmp_path, send_interval_s=send_interval_s)
    ride = Riding(EmulatedRide(rate_hz=4.0))
    async with ride, running_bridge(config, ride.ride):
        await eventually(lambda: sum(len(seqs) for seqs in envelopes) >= SAMPLES, 60)
    return envelopes


async def test_live_samples_travel_together_at_the_send_interval(
    settings: Settings, channel: AbstractChannel, bridge_account: BridgeAccount, tmp_path: Path
) -> None:
    envelopes = await _captured_envelopes(settings, channel, bridge_account, tmp_path, 2.0)
    seqs = [seq for envelope in envelopes for seq in envelope]
    assert seqs == sorted(set(seqs))  # every sample once, in order
    # 4 notifications a second sent every 2 s: most envelopes carry several samples
    # (the first after a quiet spell goes alone, at once).
    assert len(envelopes) <= len(seqs) / 3
    assert max(len(envelope) for envelope in envelopes) >= 4


async def test_an_interval_of_zero_sends_each_notification_as_it_is_stored(
    settings: Settings, channel: AbstractChannel, bridge_account: BridgeAccount, tmp_path: Path
) -> None:
    envelopes = await _captured_envelopes(settings, channel, bridge_account, tmp_path, 0.0)
    seqs = [seq for envelope in envelopes for seq in envelope]
    assert seqs == sorted(set(seqs))
    assert len(envelopes) >= len(seqs) / 2
