"""Publishes bridge-protocol envelopes to `ble.events` as a bridge does: persistent,
mandatory, with publisher confirms, routing key ble.events.<client_id>. Declares nothing."""

from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractChannel

from adapters.amqp import names
from wire.envelope import Envelope, encode_envelope


class EnvelopePublisher:
    def __init__(self, channel: AbstractChannel) -> None:
        self._channel = channel

    async def publish(self, envelope: Envelope) -> None:
        await self.publish_raw(
            envelope.client_id, encode_envelope(envelope), envelope.correlation_id
        )

    async def publish_raw(self, client_id: str, body: bytes, correlation_id: str = "") -> None:
        exchange = await self._channel.get_exchange(names.EVENTS_EXCHANGE, ensure=False)
        await exchange.publish(
            aio_pika.Message(
                body,
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                headers={names.CORRELATION_HEADER: correlation_id} if correlation_id else None,
            ),
            routing_key=names.events_routing_key(client_id),
            mandatory=True,
        )
