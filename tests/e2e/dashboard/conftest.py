"""The whole stack for the dashboard's browser tests: the API (in this process, on a free
port) with the ingest worker, the relay and the projectors, and a Chromium."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from dashboard_harness import RunningApi, Screenshots, api_server, chromium
from pipeline_helpers import running
from playwright.async_api import Browser

from adapters.amqp.accounts import BridgeAccounts
from adapters.settings import Settings
from projections.registry import PROJECTION_NAMES
from projections.service import ProjectorService


async def _projectors(settings: Settings, stop: asyncio.Event) -> None:
    await ProjectorService(settings, PROJECTION_NAMES, lag_log_interval_s=60).run(stop)


@pytest.fixture
async def stack(settings: Settings, ingest_worker: None, relay: None) -> AsyncIterator[RunningApi]:
    async with running(_projectors, settings), api_server(settings) as api:
        yield api


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as started:
        yield started


@pytest.fixture
def screenshots(tmp_path: Path) -> Screenshots:
    return Screenshots(tmp_path / "screenshots")


@pytest.fixture
async def bridge_users(settings: Settings) -> AsyncIterator[list[str]]:
    """Client ids of the bridges a test registers: their RabbitMQ users (global, not per
    vhost) are deleted at the end whatever the test did; deleting twice is harmless."""
    client_ids: list[str] = []
    yield client_ids
    async with aiohttp.ClientSession() as http:
        accounts = BridgeAccounts(settings, http)
        for client_id in client_ids:
            await accounts.delete(client_id)
