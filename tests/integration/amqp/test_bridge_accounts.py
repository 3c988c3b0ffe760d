"""A bridge's own RabbitMQ account can do exactly what a bridge needs, and nothing else."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import aio_pika
import aiohttp
import pytest
from aiormq.exceptions import ChannelAccessRefused, ChannelClosed, ChannelNotFoundEntity

from adapters.amqp import names
from adapters.amqp.accounts import BridgeAccounts
from adapters.amqp.connection import confirmed_channel, connect
from adapters.amqp.topology import declare_command_queue
from adapters.settings import Settings


@pytest.fixture
async def bridge(settings: Settings, run_id: str) -> AsyncIterator[tuple[str, str]]:
    client_id = f"{run_id}-{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(24)
    async with aiohttp.ClientSession() as http:
        accounts = BridgeAccounts(settings, http)
        username = await accounts.create(client_id, password)
        admin = await connect(settings, "test-admin")
        async with admin:
            await declare_command_queue(await confirmed_channel(admin), settings, client_id)
        try:
            yield client_id, f"amqp://{username}:{password}@localhost:5672/{settings.amqp_vhost}"
        finally:
            await accounts.delete(client_id)


async def _publish(url: str, exchange_name: str, routing_key: str) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        if exchange_name:
            exchange = await channel.get_exchange(exchange_name, ensure=False)
        else:
            exchange = channel.default_exchange
        await exchange.publish(aio_pika.Message(b"{}"), routing_key=routing_key)


async def test_a_bridge_may_publish_its_own_routing_key(bridge: tuple[str, str]) -> None:
    client_id, url = bridge
    await _publish(url, names.EVENTS_EXCHANGE, names.events_routing_key(client_id))


@pytest.mark.parametrize(
    ("exchange", "routing_key"),
    [
        (names.EVENTS_EXCHANGE, "ble.events.some-other-bridge"),
        ("", names.shard_queue(0)),
        (names.LIVE_EXCHANGE, "live.x.y.sample"),
    ],
    ids=["another-bridges-key", "default-exchange", "live-exchange"],
)
async def test_a_bridge_is_refused_anything_else_it_might_publish(
    bridge: tuple[str, str], exchange: str, routing_key: str
) -> None:
    _, url = bridge
    with pytest.raises((ChannelAccessRefused, ChannelClosed)) as refused:
        await _publish(url, exchange, routing_key)
    assert "ACCESS_REFUSED" in str(refused.value)


async def test_a_bridge_reads_its_own_command_queue_but_not_another(
    bridge: tuple[str, str],
) -> None:
    client_id, url = bridge
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        own = await channel.get_queue(names.command_queue(client_id), ensure=False)
        assert await own.get(fail=False) is None
        with pytest.raises((ChannelAccessRefused, ChannelClosed, ChannelNotFoundEntity)) as err:
            other = await channel.get_queue(names.shard_queue(0), ensure=False)
            await other.get(fail=False)
        assert "ACCESS_REFUSED" in str(err.value)


async def test_a_bridge_may_not_declare_anything(bridge: tuple[str, str]) -> None:
    _, url = bridge
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        with pytest.raises((ChannelAccessRefused, ChannelClosed)) as refused:
            await channel.declare_queue("bridge-made-this", auto_delete=True)
        assert "ACCESS_REFUSED" in str(refused.value)
