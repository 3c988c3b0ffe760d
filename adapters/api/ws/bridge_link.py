"""A phone bridge's link to RabbitMQ, held by the gateway for one socket.

Envelopes from the phone go to `ble.events` with routing key `ble.events.<client id>`,
persistent and mandatory, on a channel with publisher confirms: `publish` returns only
when the broker has the message, and only then does the gateway confirm it to the phone,
which until then keeps it in its own outbox (and sends it again after a reconnect; the
session ignores a (client, seq) it already has). Commands for the client are consumed
from `ble.commands.<client id>` and passed to `on_command`; a command that could not be
passed on goes back to the queue (its time to live still applies).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import TracebackType

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection

from adapters.amqp import names
from adapters.amqp.topology import declare_command_queue
from adapters.settings import Settings

PUBLISH_TIMEOUT_S = 10.0
COMMAND_PREFETCH = 10


class BridgeLink:
    def __init__(
        self,
        connection: AbstractRobustConnection,
        settings: Settings,
        client_id: str,
        on_command: Callable[[bytes], Awaitable[None]],
    ) -> None:
        self._connection = connection
        self._settings = settings
        self._client_id = client_id
        self._on_command = on_command
        self._channel: AbstractChannel | None = None

    async def __aenter__(self) -> BridgeLink:
        channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        self._channel = channel
        await channel.set_qos(prefetch_count=COMMAND_PREFETCH)
        queue = await declare_command_queue(
            channel, self._settings, self._client_id, consumed_here=True
        )
        await queue.consume(self._deliver)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Closing the channel cancels the consumer; unacknowledged commands are requeued.
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()

    async def publish(self, body: bytes, correlation_id: str) -> None:
        """Returns once the broker confirmed the envelope; raises if it did not."""
        if self._channel is None:
            raise RuntimeError("the bridge link is not open")
        exchange = await self._channel.get_exchange(names.EVENTS_EXCHANGE, ensure=False)
        await asyncio.wait_for(
            exchange.publish(
                aio_pika.Message(
                    body,
                    content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    headers={names.CORRELATION_HEADER: correlation_id},
                ),
                routing_key=names.events_routing_key(self._client_id),
                mandatory=True,
            ),
            PUBLISH_TIMEOUT_S,
        )

    async def _deliver(self, message: AbstractIncomingMessage) -> None:
        async with message.process(requeue=True):
            await self._on_command(message.body)
