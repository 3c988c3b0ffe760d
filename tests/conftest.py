"""Test isolation: every pytest run gets its own PostgreSQL database and RabbitMQ vhost.

Both are created on first use (unit tests never touch them) and removed when the run ends,
so runs cannot disturb each other or the development data. Fixtures that need the
services live in tests/integration/conftest.py and tests/e2e/conftest.py.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from aio_pika.abc import AbstractChannel, AbstractRobustConnection
from pipeline_helpers import relay_from_now, running, start_ride_clock

from adapters.amqp.connection import confirmed_channel, connect
from adapters.eventstore import WattlogStore
from adapters.ingest import main as ingest_main
from adapters.postgres.test_server import (
    admin_database_url,
    application_database_url,
    requested_flavour,
)
from adapters.relay import main as relay_main
from adapters.services.sessions import SessionService
from adapters.settings import Settings
from adapters.simulation.publisher import EnvelopePublisher
from domain.sessions import WorkoutSession

PROJECT_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT_ROOT.parent / "shared" / "fixtures"

ADMIN_DATABASE_URL = admin_database_url()
MANAGEMENT_URL = os.environ.get("WATTLOG_TEST_MANAGEMENT_URL", "http://localhost:15672")
MANAGEMENT_AUTH = ("guest", "guest")


def _management(method: str, path: str, body: dict[str, object] | None = None) -> None:
    # urllib keeps the test harness free of an async client at session scope.
    import base64
    import json
    import urllib.request

    request = urllib.request.Request(
        MANAGEMENT_URL + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "content-type": "application/json",
            "authorization": "Basic "
            + base64.b64encode(":".join(MANAGEMENT_AUTH).encode()).decode(),
        },
    )
    with urllib.request.urlopen(request, timeout=30):
        pass


@pytest.fixture(autouse=True)
def _ride_clock() -> None:
    """Simulated samples get device times around now (see pipeline_helpers.sample_envelope)."""
    start_ride_clock()


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def test_database(run_id: str) -> Iterator[str]:
    name = f"wattlog_test_{run_id}"
    with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" OWNER wattlog')
    try:
        yield name
    finally:
        with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def test_vhost(run_id: str) -> Iterator[str]:
    name = f"wattlog_test_{run_id}"
    path = quote(name, safe="")
    _management("PUT", f"/api/vhosts/{path}", {})
    _management(
        "PUT",
        f"/api/permissions/{path}/{MANAGEMENT_AUTH[0]}",
        {"configure": ".*", "write": ".*", "read": ".*"},
    )
    try:
        yield name
    finally:
        _management("DELETE", f"/api/vhosts/{path}")


@pytest.fixture(scope="session")
def settings(test_database: str, test_vhost: str) -> Settings:
    """Settings for this run's own database and vhost, with the schema and topology in place."""
    import asyncio

    from adapters.amqp.connection import confirmed_channel, connect
    from adapters.amqp.topology import declare_topology
    from adapters.migrations import migrate

    configured = (
        Settings(
            env="test",
            database_url=application_database_url(),
            db_flavour=requested_flavour(),
            ingest_shards=2,
            ingest_batch_wait_ms=20,
        )
        .with_database(test_database)
        .with_vhost(test_vhost)
    )
    migrate(configured)

    async def declare() -> None:
        connection = await connect(configured, "tests")
        async with connection:
            await declare_topology(await confirmed_channel(connection), configured)

    asyncio.run(declare())
    return configured


@pytest.fixture(scope="session")
def store(settings: Settings) -> Iterator[WattlogStore]:
    store = WattlogStore(settings)
    yield store
    store.close()


@pytest.fixture(scope="module")
def snapshotting_store(settings: Settings) -> Iterator[WattlogStore]:
    """A store that snapshots every 10 events: sessions of a few dozen events have
    snapshots, and events after them."""
    store = WattlogStore(settings.replace(snapshot_interval=10))
    yield store
    store.close()


@pytest.fixture(scope="session")
def sessions(store: WattlogStore) -> SessionService:
    return SessionService(store)


@pytest.fixture
def running_session(sessions: SessionService) -> WorkoutSession:
    return sessions.start(
        athlete_id=uuid.uuid4(),
        owner_id=uuid.uuid4(),
        client_id=f"bridge-{uuid.uuid4().hex[:8]}",
        ftp_w=250,
    )


@pytest.fixture
async def amqp(settings: Settings) -> AsyncIterator[AbstractRobustConnection]:
    connection = await connect(settings, "test")
    yield connection
    await connection.close()


@pytest.fixture
async def channel(amqp: AbstractRobustConnection) -> AbstractChannel:
    return await confirmed_channel(amqp)


@pytest.fixture
def publisher(channel: AbstractChannel) -> EnvelopePublisher:
    return EnvelopePublisher(channel)


@pytest.fixture
async def ingest_worker(settings: Settings) -> AsyncIterator[None]:
    async with running(ingest_main.serve, settings):
        yield


@pytest.fixture
async def relay(settings: Settings) -> AsyncIterator[None]:
    relay_from_now(settings)
    async with running(relay_main.serve, settings):
        yield
