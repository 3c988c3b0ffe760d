"""Done when (issue 6): the bridge's broker connection is cut for a minute mid-ride, then
restored; every sample arrives exactly once, each stream in order. The outage length is
WATTLOG_TEST_BRIDGE_OUTAGE_S (default 60 s)."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest
from bridge_harness import (
    BridgeAccount,
    Riding,
    TcpProxy,
    bridge_config,
    drained,
    is_two_ordered_streams,
    recorded_seqs,
    running_bridge,
)
from pipeline_helpers import eventually

from adapters.eventstore import WattlogStore
from adapters.settings import Settings
from bridge.simulation import EmulatedRide
from domain.sessions import WorkoutSession

OUTAGE_S = float(os.environ.get("WATTLOG_TEST_BRIDGE_OUTAGE_S", "60"))
pytestmark = pytest.mark.usefixtures("ingest_worker")


@pytest.mark.timeout(OUTAGE_S + 180)
async def test_a_minute_without_the_broker_loses_nothing_and_stores_every_sample_once(
    settings: Settings,
    store: WattlogStore,
    bridge_session: WorkoutSession,
    bridge_account: BridgeAccount,
    broker_proxy: TcpProxy,
    tmp_path: Path,
) -> None:
    session = bridge_session
    url = f"amqp://127.0.0.1:{broker_proxy.port}/{settings.amqp_vhost}"
    config = bridge_config(bridge_account, url, tmp_path)
    ride = Riding(EmulatedRide(rate_hz=4.0))
    async with ride, running_bridge(config, ride.ride) as bridge:
        first_seq = await bridge.outbox.call(bridge.outbox.sync.next_seq)
        await eventually(lambda: len(recorded_seqs(store, session)) >= 20, 30)

        await broker_proxy.cut()
        cut_at = time.monotonic()
        await eventually(lambda: bridge.status.broker != "connected", 10)
        await asyncio.sleep(max(0.0, OUTAGE_S - (time.monotonic() - cut_at)))
        backlog = await bridge.outbox.call(bridge.outbox.sync.pending)
        stored_before_restore = len(recorded_seqs(store, session))
        await broker_proxy.restore()

        await eventually(lambda: bridge.status.broker == "connected", 60)
        await asyncio.sleep(3)  # live samples flow again, interleaved with the backlog
        await ride.halt()
        next_seq = await drained(bridge)

    expected = list(range(first_seq, next_seq))
    await eventually(lambda: len(recorded_seqs(store, session)) >= len(expected), 60)
    seqs = recorded_seqs(store, session)
    assert backlog >= OUTAGE_S * 4 * 0.8  # the ride went on while the broker was away
    assert stored_before_restore <= len(expected) - backlog
    assert sorted(seqs) == expected  # every sample, exactly once, no gap
    assert is_two_ordered_streams(seqs)
