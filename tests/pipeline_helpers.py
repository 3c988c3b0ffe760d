"""Small builders shared by the pipeline tests."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from uuid import UUID

import psycopg
from aio_pika.abc import AbstractChannel, AbstractQueue

from adapters import live_message
from adapters.amqp import names
from adapters.eventstore import WattlogStore
from adapters.settings import Settings
from projections.registry import PROJECTION_NAMES, build_projection
from projections.runner import ProjectionRunner
from wire.envelope import Envelope, Sample

# The device time of seq 0 in `sample_envelope`: a little before the current test began
# (set by an autouse fixture), so that the samples fall within the sessions the test starts
# and not after the ingest worker's clock (the device-time bounds, docs/domain.md).
_ride_t0 = time.time()
RIDE_T0_LEAD_S = 60.0


def start_ride_clock() -> None:
    global _ride_t0
    _ride_t0 = float(int(time.time() - RIDE_T0_LEAD_S))  # whole seconds: 4 Hz fills each


def ride_t0() -> float:
    return _ride_t0


def sample_envelope(
    client_id: str, seqs: range | list[int], t0: float | None = None, step: float = 0.25
) -> Envelope:
    """Trainer samples at ``t0 + seq * step`` (``t0`` defaults to `ride_t0()`)."""
    if t0 is None:
        t0 = _ride_t0
    return Envelope(
        client_id=client_id,
        sent_at=time.time(),
        correlation_id=uuid.uuid4().hex,
        samples=tuple(
            Sample(
                seq=seq,
                device_time=t0 + seq * step,
                sensor_id="trainer",
                characteristic="2ad2",
                raw=bytes.fromhex("4402da020201220100"),
                values={"power_w": 200 + seq % 50, "cadence_rpm": 90.0},
            )
            for seq in seqs
        ),
    )


async def eventually(check: Callable[[], bool], within_s: float = 30.0) -> None:
    deadline = time.monotonic() + within_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within_s}s")
        await asyncio.sleep(0.1)


def relay_from_now(settings: Settings) -> None:
    """Marks the log as published up to now, as if a relay had been running all along.

    The tests share one database: without this, a relay started by a test would first
    publish every event the earlier tests wrote."""
    with psycopg.connect(settings.database_url) as conn:
        conn.execute(
            "INSERT INTO relay_positions (name, notification_id)"
            " SELECT 'relay', coalesce(max(notification_id), 0) FROM wattlog_events"
            " ON CONFLICT (name) DO UPDATE SET notification_id = EXCLUDED.notification_id"
        )


Service = Callable[[Settings, asyncio.Event], Awaitable[None]]


@contextlib.asynccontextmanager
async def running(service: Service, settings: Settings) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(service(settings, stop))
    await asyncio.sleep(0.5)  # consumers subscribed, relay leader
    if task.done():
        task.result()
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


async def live_queue(channel: AbstractChannel, settings: Settings, owner_id: UUID) -> AbstractQueue:
    """A queue bound to the live partition of `owner_id` (as an API process binds it)."""
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    exchange = await channel.get_exchange(names.LIVE_EXCHANGE, ensure=False)
    partition = live_message.partition_of(owner_id, settings.live_partitions)
    await queue.bind(exchange, routing_key=live_message.routing_key(partition))
    return queue


def live_items(body: bytes, session_id: UUID, kind: str | None = None) -> list[dict[str, Any]]:
    """The items of one session (and kind) in a live message of its owner's partition."""
    users = live_message.decode(body).users.values()
    return [
        data
        for items in users
        for data in items
        if data["session_id"] == str(session_id) and kind in (None, data["kind"])
    ]


def _catch_up_projections(store: WattlogStore, settings: Settings) -> None:
    for name in PROJECTION_NAMES:
        runner = ProjectionRunner(store, build_projection(name), settings.database_url)
        try:
            runner.catch_up()
        finally:
            runner.close()


async def project_all(store: WattlogStore, settings: Settings) -> None:
    """Every projection caught up with the store, in order, as `wattlog project` would."""
    await asyncio.to_thread(_catch_up_projections, store, settings)
