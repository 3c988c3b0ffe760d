"""The bridge's AMQP(S) connection, as its own RabbitMQ user, declaring nothing.

The user has no configure permission, so exchanges and queues are only looked up
(`ensure=False`): `ble.events` to publish to, `ble.commands.<client id>` to consume from
(declared by the API when the bridge was registered). Publishes are persistent, mandatory
(an unroutable envelope is an error, not silence) and confirmed by the broker.
For `amqps://` the broker's certificate and host name are always verified, against the
system's CAs or `ca_file`; the URL cannot turn that off.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from urllib.parse import urlsplit

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange

from bridge.config import BridgeConfig
from bridge.forwarder import Publish
from wire import routing

CONNECT_TIMEOUT_S = 15.0


def ssl_context_for(config: BridgeConfig) -> ssl.SSLContext | None:
    if urlsplit(config.amqp_url).scheme != "amqps":
        return None
    cafile = str(Path(config.ca_file).expanduser()) if config.ca_file else None
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


async def open_connection(config: BridgeConfig) -> AbstractConnection:
    return await aio_pika.connect(
        config.broker_url,
        ssl_context=ssl_context_for(config),
        timeout=CONNECT_TIMEOUT_S,
        client_properties={"connection_name": f"wattlog-bridge-{config.client_id}"},
    )


async def publishing_channel(connection: AbstractConnection) -> AbstractChannel:
    return await connection.channel(publisher_confirms=True, on_return_raises=True)


def publisher(exchange: AbstractExchange, client_id: str) -> Publish:
    routing_key = routing.events_routing_key(client_id)

    async def publish(body: bytes, correlation_id: str) -> None:
        await exchange.publish(
            aio_pika.Message(
                body,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                headers={routing.CORRELATION_HEADER: correlation_id},
            ),
            routing_key=routing_key,
            mandatory=True,
        )

    return publish


async def events_exchange(channel: AbstractChannel) -> AbstractExchange:
    return await channel.get_exchange(routing.EVENTS_EXCHANGE, ensure=False)
