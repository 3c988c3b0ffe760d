"""Several ingest workers share the shards out: each takes its own first and stands by for
the others' (WATTLOG_INGEST_WORKERS / WATTLOG_INGEST_WORKER_INDEX)."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid

from broker_admin import active_shards_by_connection
from pipeline_helpers import eventually, running, sample_envelope

from adapters.eventstore import WattlogStore
from adapters.ingest import main as ingest_main
from adapters.services.sessions import SessionService
from adapters.settings import Settings
from adapters.simulation.publisher import EnvelopePublisher


async def test_two_workers_started_together_each_consume_half_the_shards_and_store_everything(
    settings: Settings, sessions: SessionService, store: WattlogStore, publisher: EnvelopePublisher
) -> None:
    riders = [
        sessions.start(
            athlete_id=uuid.uuid4(),
            owner_id=uuid.uuid4(),
            client_id=f"bridge-{uuid.uuid4().hex[:8]}",
            ftp_w=250,
        )
        for _ in range(12)
    ]
    assert settings.ingest_shards % 2 == 0
    half = settings.ingest_shards // 2
    async with contextlib.AsyncExitStack() as workers:
        for index in range(2):
            worker = settings.replace(ingest_workers=2, ingest_worker_index=index)
            await workers.enter_async_context(running(ingest_main.serve, worker))
        await _active_shards_become(settings, [half, half])
        for rider in riders:
            await publisher.publish(sample_envelope(rider.client_id, range(8)))
        await eventually(lambda: all(store.repository.get(r.id).sample_count == 8 for r in riders))


async def _active_shards_become(settings: Settings, expected: list[int]) -> None:
    # The management API lists new consumers after a moment: ask until it does.
    deadline = time.monotonic() + 30
    while True:
        spread = sorted((await active_shards_by_connection(settings.amqp_vhost)).values())
        if spread == expected:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"active shards per worker: {spread}, expected {expected}")
        await asyncio.sleep(0.5)
