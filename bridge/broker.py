"""Keeps the bridge connected to the broker: connect (as the bridge's own user), forward the
outbox and consume trainer commands until the connection is lost, then reconnect with
exponential backoff and jitter. Nothing is lost meanwhile: samples wait in the outbox.

Commands are consumed on their own channel, so that a missing command queue (a bridge
whose registration is not finished) closes only that channel: samples keep flowing and
the consumer tries again every `COMMAND_RETRY_S`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from aio_pika.abc import AbstractConnection, AbstractIncomingMessage
from aiormq.exceptions import AMQPError, ChannelInvalidStateError

from bridge.backoff import Backoff
from bridge.commands import CommandRunner
from bridge.config import BridgeConfig
from bridge.forwarder import Forwarder
from bridge.outbox import AsyncOutbox
from bridge.status import BridgeStatus
from bridge.transport import events_exchange, open_connection, publisher, publishing_channel
from wire import routing

log = logging.getLogger(__name__)

COMMAND_RETRY_S = 5.0
COMMAND_PREFETCH = 10
STABLE_AFTER_S = 30.0
CLOSE_TIMEOUT_S = 5.0
DRAIN_ON_STOP_S = 3.0
# What a lost network, a refused login or a failed TLS handshake raise (ssl.SSLError is an
# OSError); anything else is a bug and is let through.
BROKER_ERRORS = (OSError, AMQPError, TimeoutError, ChannelInvalidStateError)


class BrokerLink:
    def __init__(
        self,
        config: BridgeConfig,
        outbox: AsyncOutbox,
        commands: CommandRunner,
        status: BridgeStatus,
        wake: asyncio.Event,
        backoff: Backoff | None = None,
    ) -> None:
        self._config = config
        self._outbox = outbox
        self._commands = commands
        self._status = status
        self._wake = wake
        self._backoff = backoff or Backoff(initial_s=1.0, maximum_s=30.0)

    async def run(self, stop: asyncio.Event) -> None:
        self._status.broker_url = self._config.shown_url
        while not stop.is_set():
            self._status.broker = "connecting"
            started = time.monotonic()
            try:
                connection = await open_connection(self._config)
            except BROKER_ERRORS as error:
                self._failed("cannot connect", error)
            else:
                try:
                    await self._serve(connection, stop)
                except BROKER_ERRORS as error:
                    self._failed("connection lost", error)
                finally:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(connection.close(), CLOSE_TIMEOUT_S)
            self._status.broker = "disconnected"
            if time.monotonic() - started > STABLE_AFTER_S:
                self._backoff.reset()
            if stop.is_set() or not await self._backoff.wait(stop):
                break
        self._status.broker = "stopped"

    def _failed(self, what: str, error: BaseException) -> None:
        message = f"broker: {what}: {error or type(error).__name__}"
        self._status.note_error(message)
        log.warning(message, extra={"url": self._config.shown_url})

    async def _serve(self, connection: AbstractConnection, stop: asyncio.Event) -> None:
        lost = asyncio.Event()
        connection.close_callbacks.add(lambda *_: lost.set())
        channel = await publishing_channel(connection)
        exchange = await events_exchange(channel)
        forwarder = Forwarder(
            self._config,
            self._outbox,
            publisher(exchange, self._config.client_id),
            self._wake,
            self._status.forward,
        )
        self._status.broker = "connected"
        log.info("broker connected", extra={"url": self._config.shown_url})
        tasks = {
            asyncio.create_task(forwarder.run()),
            asyncio.create_task(self._consume_commands(connection)),
            asyncio.create_task(lost.wait()),
            asyncio.create_task(stop.wait()),
        }
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            if stop.is_set() and not lost.is_set():
                await forwarder.drain(DRAIN_ON_STOP_S)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        for task in done:
            if not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        if lost.is_set():
            raise ConnectionError("the broker closed the connection")

    async def _consume_commands(self, connection: AbstractConnection) -> None:
        queue_name = routing.command_queue(self._config.client_id)
        while True:
            inbox: asyncio.Queue[AbstractIncomingMessage | None] = asyncio.Queue()
            try:
                channel = await connection.channel()
                channel.close_callbacks.add(lambda *_, inbox=inbox: inbox.put_nowait(None))
                await channel.set_qos(prefetch_count=COMMAND_PREFETCH)
                queue = await channel.get_queue(queue_name, ensure=False)
                await queue.consume(inbox.put, no_ack=False)
                self._status.commands_ready = True
                while (message := await inbox.get()) is not None:
                    await self._commands.handle(message.body)
                    await message.ack()
            except (AMQPError, ChannelInvalidStateError) as error:
                if connection.is_closed:
                    raise
                self._status.note_error(f"commands: {error}")
                log.warning("cannot consume trainer commands", extra={"error": str(error)})
            finally:
                self._status.commands_ready = False
            await asyncio.sleep(COMMAND_RETRY_S)
