"""One robust connection per process; channels with publisher confirms and returns raised."""

from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractRobustConnection

from adapters.settings import Settings


async def connect(settings: Settings, name: str) -> AbstractRobustConnection:
    return await aio_pika.connect_robust(
        settings.amqp_url, client_properties={"connection_name": f"wattlog-{name}"}
    )


async def confirmed_channel(
    connection: AbstractRobustConnection, prefetch: int = 0
) -> AbstractChannel:
    # publisher_confirms: publish() returns only once the broker has the message;
    # on_return_raises: an unroutable mandatory message is an error, not silence.
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    if prefetch:
        await channel.set_qos(prefetch_count=prefetch)
    return channel
