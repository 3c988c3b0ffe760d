"""The API application (with the replay routes) on a free port, and the store rides are
written to (see replay_harness.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiohttp import test_utils

from adapters.api.app import create_app
from adapters.services.ownership_index import IndexedStore
from adapters.settings import Settings


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[test_utils.TestClient[Any, Any]]:
    server = test_utils.TestServer(create_app(settings))
    client = test_utils.TestClient(server)
    await client.start_server()
    yield client
    await client.close()


@pytest.fixture(scope="session")
def indexed_store(settings: Settings) -> Iterator[IndexedStore]:
    store = IndexedStore(settings)
    yield store
    store.close()
