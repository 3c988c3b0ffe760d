"""A long backlog drains oldest first, at a bounded rate, and never holds up live samples.
What the bridge publishes is captured by a queue bound (as admin) next to the ingest's."""

from __future__ import annotations

import time
from pathlib import Path

import orjson
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from bridge_harness import BridgeAccount, Riding, bridge_config, running_bridge
from pipeline_helpers import eventually

from adapters.amqp import names
from adapters.settings import Settings
from bridge.outbox import NewSample, Outbox
from bridge.simulation import EmulatedRide

BACKLOG = 3000
RATE = 500.0  # samples per second while draining
CHUNK = 100


def leftover(count: int) -> list[NewSample]:
    return [
        NewSample(1_700_000_000 + i * 0.25, "trainer", "2ad2", b"\x44\x02", {"power_w": 200})
        for i in range(count)
    ]


async def test_live_samples_go_out_while_a_backlog_drains_oldest_first_at_a_bounded_rate(
    settings: Settings,
    channel: AbstractChannel,
    bridge_account: BridgeAccount,
    tmp_path: Path,
) -> None:
    # Samples left in the outbox by an earlier run that never reached the broker.
    outbox = Outbox(tmp_path / "outbox.sqlite3", max_bytes=64 * 1024 * 1024)
    backlog = outbox.append(leftover(BACKLOG))
    outbox.close()
    captured: list[tuple[float, int, float]] = []  # (arrival, seq, device time), publish order
    capture = await channel.declare_queue(exclusive=True, auto_delete=True)
    events = await channel.get_exchange(names.EVENTS_EXCHANGE, ensure=False)
    await capture.bind(events, routing_key=names.events_routing_key(bridge_account.client_id))

    async def on_message(message: AbstractIncomingMessage) -> None:
        body = orjson.loads(message.body)
        now = time.time()
        captured.extend((now, sample["seq"], sample["t"]) for sample in body.get("samples", []))

    await capture.consume(on_message, no_ack=True)
    url = f"amqp://127.0.0.1:5672/{settings.amqp_vhost}"
    config = bridge_config(bridge_account, url, tmp_path, backlog_rate=RATE, backlog_chunk=CHUNK)
    ride = Riding(EmulatedRide(rate_hz=4.0))
    async with ride, running_bridge(config, ride.ride):
        await eventually(
            lambda: sum(1 for _, s, _ in captured if s <= backlog.last_seq) == BACKLOG, 60
        )

    old = [(at, s) for at, s, _ in captured if s <= backlog.last_seq]
    live = [(at, s, t) for at, s, t in captured if s > backlog.last_seq]
    assert [s for _, s in old] == list(range(backlog.first_seq, backlog.last_seq + 1))
    drain_s = old[-1][0] - old[0][0]
    assert drain_s >= (BACKLOG - CHUNK) / RATE * 0.8  # the rate limit held
    during_drain = [(at, t) for at, _, t in live if at < old[-1][0]]
    assert len(during_drain) >= 4 * drain_s * 0.5  # the ride went on meanwhile...
    # ...and went out as they happened, not held until the backlog was through.
    assert max(at - t for at, t in during_drain) < drain_s / 3
    assert [s for _, s, _ in live] == sorted(s for _, s, _ in live)
