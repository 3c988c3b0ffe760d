"""Fixtures for the bridge's integration tests: a RabbitMQ user with exactly a bridge's
permissions (deleted afterwards: users are global), a running session for that bridge, and
a cuttable proxy to the broker."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aio_pika.abc import AbstractChannel
from bridge_harness import BridgeAccount, TcpProxy

from adapters.amqp.accounts import BridgeAccounts
from adapters.amqp.topology import declare_command_queue
from adapters.services.sessions import SessionService
from adapters.settings import Settings
from domain.sessions import WorkoutSession


@pytest.fixture
async def bridge_account(
    settings: Settings, run_id: str, channel: AbstractChannel
) -> AsyncIterator[BridgeAccount]:
    client_id = f"{run_id}-{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(24)
    async with aiohttp.ClientSession() as http:
        accounts = BridgeAccounts(settings, http)
        await accounts.create(client_id, password)
        try:
            # What the API does when a bridge is registered.
            await declare_command_queue(channel, settings, client_id)
            yield BridgeAccount(client_id, password)
        finally:
            await accounts.delete(client_id)


@pytest.fixture
def bridge_session(sessions: SessionService, bridge_account: BridgeAccount) -> WorkoutSession:
    """A running session the bridge's samples are routed to."""
    return sessions.start(
        athlete_id=uuid.uuid4(),
        owner_id=uuid.uuid4(),
        client_id=bridge_account.client_id,
        ftp_w=250,
    )


@pytest.fixture
async def broker_proxy() -> AsyncIterator[TcpProxy]:
    proxy = await TcpProxy().start()
    yield proxy
    await proxy.close()
