"""One robust connection per process; channels with publisher confirms and returns raised.

The connection is aio-pika's robust one (it reconnects, then reopens every channel and
re-declares and re-consumes what was declared through them), with two additions: the
retry interval grows with the outage (half the time the broker has been away, between
0.5 s and 10 s), and each loss and each recovery is logged once and counted.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aio_pika
from aio_pika.abc import AbstractRobustChannel, AbstractRobustConnection
from aiormq.exceptions import AMQPError, ChannelInvalidStateError

from adapters.settings import Settings

log = logging.getLogger(__name__)

MIN_RETRY_S = 0.5
MAX_RETRY_S = 10.0

# What a call on a channel raises while the broker is away or the channel is closing (aiormq
# raises `ChannelInvalidStateError`, a RuntimeError, for a call on a closed channel).
BROKER_AWAY = (AMQPError, ConnectionError, ChannelInvalidStateError, TimeoutError)


class WattlogConnection(aio_pika.RobustConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._lost_at: float | None = None
        self.losses = 0
        self.recoveries = 0
        super().__init__(*args, **kwargs)

    @property
    def reconnect_interval(self) -> float:
        if self._lost_at is None:
            return MIN_RETRY_S
        return min(MAX_RETRY_S, max(MIN_RETRY_S, (time.monotonic() - self._lost_at) / 2))

    @reconnect_interval.setter
    def reconnect_interval(self, value: float) -> None:
        del value  # computed from the outage's length

    @property
    def is_up(self) -> bool:
        return self._lost_at is None and not self.is_closed

    async def _on_connection_close(self, closing: asyncio.Future[Any]) -> None:
        if not self._close_called and self._lost_at is None:
            self._lost_at = time.monotonic()
            self.losses += 1
            log.warning(
                "broker connection lost; reconnecting",
                extra={"reason": _reason(closing), "losses": self.losses},
            )
        await super()._on_connection_close(closing)

    async def _on_connected(self) -> None:
        # The parent reopens the channels (queues, bindings, consumers) before returning.
        await super()._on_connected()
        if self._lost_at is not None:
            down_s = time.monotonic() - self._lost_at
            self._lost_at = None
            self.recoveries += 1
            log.info(
                "broker connection restored",
                extra={"down_s": round(down_s, 2), "recoveries": self.recoveries},
            )


def connection_losses(connection: object) -> int:
    """How many times this process lost this broker connection (0 for another kind)."""
    return connection.losses if isinstance(connection, WattlogConnection) else 0


def _reason(closing: asyncio.Future[Any]) -> str:
    try:
        return repr(closing.exception())
    except asyncio.CancelledError:
        return "cancelled"


async def connect(settings: Settings, name: str) -> AbstractRobustConnection:
    return await aio_pika.connect_robust(
        settings.amqp_url,
        client_properties={"connection_name": f"wattlog-{name}"},
        connection_class=WattlogConnection,
    )


async def confirmed_channel(
    connection: AbstractRobustConnection, prefetch: int = 0
) -> AbstractRobustChannel:
    # publisher_confirms: publish() returns only once the broker has the message;
    # on_return_raises: an unroutable mandatory message is an error, not silence.
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    if prefetch:
        await channel.set_qos(prefetch_count=prefetch)
    return channel
