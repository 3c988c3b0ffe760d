"""Small builders shared by the pipeline tests."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import psycopg

from adapters.settings import Settings
from bridge.protocol import Envelope, Sample


def sample_envelope(
    client_id: str, seqs: range | list[int], t0: float = 1_700_000_000.0
) -> Envelope:
    return Envelope(
        client_id=client_id,
        sent_at=time.time(),
        correlation_id=uuid.uuid4().hex,
        samples=tuple(
            Sample(
                seq=seq,
                device_time=t0 + seq * 0.25,
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
