"""Driving the replay in tests: users registered through the API, and rides written
straight to its event store (the ownership index rows included), so that replay tests need
no bridge and no RabbitMQ user."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from aiohttp import test_utils

from adapters.services.ownership_index import IndexedStore
from domain.sessions import WorkoutSession

PASSWORD = "replay-the-tuesday-ride"


def new_client_id() -> str:
    """A bridge may drive one active session at a time: every test ride gets its own."""
    return f"replay-test-{uuid.uuid4().hex[:12]}"


@dataclass
class Rider:
    id: uuid.UUID
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def register(client: test_utils.TestClient[Any, Any]) -> Rider:
    email = f"replay-{uuid.uuid4().hex[:12]}@example.com"
    async with client.post(
        "/api/auth/register", json={"email": email, "password": PASSWORD}
    ) as response:
        assert response.status == 201, await response.text()
        body = await response.json()
    return Rider(uuid.UUID(body["user"]["id"]), body["access_token"])


async def ticket(client: test_utils.TestClient[Any, Any], rider: Rider) -> str:
    async with client.post("/api/ws-tickets", headers=rider.headers) as response:
        assert response.status == 201
        return str((await response.json())["ticket"])


def write_ride(
    store: IndexedStore, owner: uuid.UUID, seconds: int, *, erg_at_s: int | None = None
) -> WorkoutSession:
    """A finished ride: one trainer sample a second (power = 100 + second), an ERG command
    after `erg_at_s` seconds, stored in chunks as the ingest worker would."""
    client_id = new_client_id()
    session = WorkoutSession.start(
        athlete_id=uuid.uuid4(), owner_id=owner, client_id=client_id, ftp_w=250
    )
    t0 = time.time() - seconds - 60
    for second in range(seconds):
        if second == erg_at_s:
            store.save(session)
            session.issue_command(uuid.uuid4(), "target_power", 280, owner)
            store.save(session)
        values = {"power_w": 100 + second, "cadence_rpm": 90.0}
        session.record_sample(client_id, second, t0 + second, "trainer", "2ad2", b"", values)
        if second % 50 == 49:
            store.save(session)
    session.finish()
    store.save(session)
    return session
