"""Publishing through the channel's own aiormq call: aio-pika's `Message` wrapper costs
about as much again per message. Confirms and returns behave the same: on a channel with
publisher confirms the call waits for the broker's confirm, and a returned mandatory
message raises."""

from __future__ import annotations

from typing import Any

from aio_pika.abc import AbstractChannel
from pamqp.commands import Basic

PERSISTENT = 2
TRANSIENT = 1


async def publish(
    channel: AbstractChannel,
    exchange: str,
    routing_key: str,
    body: bytes,
    *,
    mandatory: bool,
    persistent: bool = True,
    expiration_s: float | None = None,
    message_id: str | None = None,
    headers: dict[str, Any] | None = None,
    content_type: str | None = "application/json",
) -> None:
    underlay = await channel.get_underlay_channel()
    await underlay.basic_publish(
        body,
        exchange=exchange,
        routing_key=routing_key,
        mandatory=mandatory,
        properties=Basic.Properties(
            content_type=content_type,
            headers=headers,
            delivery_mode=PERSISTENT if persistent else TRANSIENT,
            expiration=None if expiration_s is None else str(max(1, int(expiration_s * 1000))),
            message_id=message_id,
        ),
    )
