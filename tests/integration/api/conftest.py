"""The API on a free port, backed by this run's database and vhost."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from aiohttp import test_utils
from api_harness import Api, ApiFactory, delete_bridge_accounts

from adapters.api.app import create_app
from adapters.settings import Settings


@pytest.fixture
def api_with(settings: Settings) -> ApiFactory:
    """`async with api_with(max_running_sessions=3) as api:` an app with other settings."""

    @contextlib.asynccontextmanager
    async def start(**overrides: object) -> AsyncIterator[Api]:
        server = test_utils.TestServer(create_app(settings.replace(**overrides)))
        client = test_utils.TestClient(server)
        await client.start_server()
        api = Api(client)
        try:
            yield api
        finally:
            await client.close()
            await delete_bridge_accounts(settings, api.bridge_ids)

    return start


@pytest.fixture
async def api(api_with: ApiFactory) -> AsyncIterator[Api]:
    async with api_with() as started:
        yield started
