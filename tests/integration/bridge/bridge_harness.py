"""Running the real bridge in a test: its own RabbitMQ user, emulated sensors on bumble's
virtual radio, and a TCP proxy on 127.0.0.1 between the bridge and the broker that a test
can cut (every connection reset, nothing listening) and restore."""

from __future__ import annotations

import asyncio
import contextlib
import io
import ssl
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.eventstore import WattlogStore
from bridge.app import Bridge, SensorSource
from bridge.ble.connection import LinkTimeouts
from bridge.ble.sensors import BleSensors
from bridge.config import BridgeConfig
from bridge.outbox import AsyncOutbox
from bridge.simulation import EmulatedRide
from domain.sessions import WorkoutSession

BROKER = ("127.0.0.1", 5672)


@dataclass(frozen=True)
class BridgeAccount:
    client_id: str
    password: str


def bridge_config(
    account: BridgeAccount, amqp_url: str, data_dir: Path, **overrides: Any
) -> BridgeConfig:
    config = BridgeConfig(
        client_id=account.client_id,
        password=account.password,
        amqp_url=amqp_url,
        data_dir=data_dir,
        status="off",
        scan_timeout_s=2.0,
        connect_timeout_s=5.0,
        **overrides,
    )
    config.validate()
    return config


@contextlib.asynccontextmanager
async def running_bridge(
    config: BridgeConfig, ride: EmulatedRide | Callable[[Bridge], SensorSource]
) -> AsyncIterator[Bridge]:
    """The bridge as `wattlog bridge --simulate` runs it, inside the test's event loop: over
    the emulated radio of `ride`, or with the sensors a factory makes for it."""
    config.data_path.mkdir(parents=True, exist_ok=True)
    outbox = await AsyncOutbox.open(config.data_path / "outbox.sqlite3", config.outbox_max_bytes)
    bridge = Bridge(config, outbox, status_stream=io.StringIO())
    if isinstance(ride, EmulatedRide):
        sensors: SensorSource = BleSensors(
            bridge.recorder.enqueue,
            bridge.controller,
            bridge.status,
            backends=ride.backends(),
            devices=ride.devices(),
            timeouts=LinkTimeouts(config.scan_timeout_s, config.connect_timeout_s),
        )
    else:
        sensors = ride(bridge)
    stop = asyncio.Event()
    task = asyncio.create_task(bridge.run(stop, sensors))
    try:
        yield bridge
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
        await outbox.close()


class Riding:
    """An emulated ride ticking in real time until `halt()` (the rider stops pedalling)."""

    def __init__(self, ride: EmulatedRide) -> None:
        self.ride = ride
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> EmulatedRide:
        await self.ride.start()
        self._task = asyncio.create_task(self.ride.run())
        return self.ride

    async def halt(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def __aexit__(self, *exc: object) -> None:
        await self.halt()
        await self.ride.stop()


async def drained(bridge: Bridge, within_s: float = 60.0) -> int:
    """Waits until every recorded sample is confirmed; returns the next sequence number."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    sync = bridge.outbox.sync
    while await bridge.outbox.call(sync.pending) or bridge.status.notifications != (
        bridge.status.stored + bridge.status.decode_errors
    ):
        if loop.time() > deadline:
            raise AssertionError(f"the outbox did not drain within {within_s}s")
        await asyncio.sleep(0.1)
    return await bridge.outbox.call(sync.next_seq)


def recorded_seqs(store: WattlogStore, session: WorkoutSession) -> list[int]:
    """The session's samples' sequence numbers, in the order the store recorded them."""
    return [e.seq for e in store.events.get(session.id) if type(e).__name__ == "SampleRecorded"]


def is_two_ordered_streams(seqs: list[int]) -> bool:
    """Whether `seqs` interleaves two increasing runs, all of one below all of the other (a
    backlog drained oldest first, and live samples, both in order)."""
    for boundary in sorted(set(seqs)):
        older = [s for s in seqs if s < boundary]
        newer = [s for s in seqs if s >= boundary]
        if older == sorted(older) and newer == sorted(newer):
            return True
    return False


class TcpProxy:
    """127.0.0.1:<port> -> the broker; `cut()` resets every connection and stops listening."""

    def __init__(
        self,
        target: tuple[str, int] = BROKER,
        server_ssl: ssl.SSLContext | None = None,
    ) -> None:
        self._target = target
        self._ssl = server_ssl
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._pipes: set[asyncio.Task[None]] = set()
        self.port = 0
        self.accepted = 0

    async def start(self) -> TcpProxy:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, ssl=self._ssl, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def restore(self) -> None:
        await self.start()

    async def close(self) -> None:
        await self.cut()
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update({writer, upstream_writer})
        for source, sink in ((reader, upstream_writer), (upstream_reader, writer)):
            pipe = asyncio.create_task(self._pipe(source, sink))
            self._pipes.add(pipe)
            pipe.add_done_callback(self._pipes.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        try:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            sink.transport.abort()
            self._writers.discard(sink)
