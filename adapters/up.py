"""`wattlog up`: the whole stack on this machine, plus one simulated bridge riding a session.

Every process runs as its own `wattlog <name>` child, exactly as in production; a child
that dies is restarted after a short pause. The ride goes through the real API (see
adapters/demo_ride.py): a development account, a registered bridge with its own RabbitMQ
user, a session, and `wattlog bridge --simulate` with the bridge's credentials.

Ctrl-C (or SIGTERM) stops the simulated bridge first, then the services in reverse order of
start, and kills whatever has not exited within a few seconds. Children also die with the
supervisor (PR_SET_PDEATHSIG), so stopping `wattlog up` in any way leaves no process behind.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from adapters.amqp.topology_command import declare
from adapters.demo_ride import DemoError, DemoRider
from adapters.migrations import migrate
from adapters.settings import Settings

log = logging.getLogger(__name__)

SERVICES = ("api", "ingest", "relay", "project")
RESTART_DELAY_S = 1.0
STOP_GRACE_S = 10.0
_PR_SET_PDEATHSIG = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ride-minutes", type=float, default=10.0, help="length of the simulated ride"
    )
    parser.add_argument("--no-ride", action="store_true", help="start the services only")
    parser.add_argument(
        "--state-dir", default=".wattlog", help="demo account and bridge data (default .wattlog)"
    )


def _die_with_parent() -> None:
    # Linux only; elsewhere the children are still stopped by the normal shutdown path.
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    restart: bool
    env: dict[str, str] | None = None
    process: subprocess.Popen[bytes] | None = None
    started_at: float = field(default=0.0)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", *self.argv],
            env={**os.environ, **self.env} if self.env else None,
            start_new_session=True,  # Ctrl-C reaches the supervisor, which stops us in order
            preexec_fn=_die_with_parent,
        )
        self.started_at = time.monotonic()
        log.info("started", extra={"child": self.name, "pid": self.process.pid})

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            log.warning("did not stop in time; killing", extra={"child": self.name})
            self.process.kill()
            self.process.wait()
        log.info("stopped", extra={"child": self.name})


class Supervisor:
    def __init__(self, children: list[Child]) -> None:
        self.children = children

    async def run(self, stop: asyncio.Event) -> None:
        for child in self.children:
            child.start()
        while not stop.is_set():
            for child in self.children:
                code = child.exited()
                if code is None or child.process is None:
                    continue
                if not child.restart:
                    log.info("finished", extra={"child": child.name, "exit_code": code})
                    child.process = None
                elif time.monotonic() - child.started_at > RESTART_DELAY_S:
                    log.warning("exited; restarting", extra={"child": child.name, "code": code})
                    child.start()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)

    def add(self, child: Child) -> None:
        """Starts a child while the supervisor runs; it is stopped first at the end."""
        self.children.append(child)
        child.start()

    def stop_all(self) -> None:
        for child in reversed(self.children):
            child.stop()


async def ride_demo(
    supervisor: Supervisor, settings: Settings, args: argparse.Namespace, stop: asyncio.Event
) -> None:
    """One ride through the API with `wattlog bridge --simulate`, then the services go on."""
    api_url = f"http://{settings.http_host}:{settings.http_port}"
    state_dir = Path(args.state_dir)
    rider = DemoRider(api_url, state_dir)
    async with aiohttp.ClientSession() as http:
        await rider.wait_until_ready(http)
        ride = await rider.start(http, args.ride_minutes)
        print(
            f"demo ride started: sign in at {api_url}/ as {ride.email} / {ride.password}",
            flush=True,
        )
        bridge = Child(
            "simulated-bridge",
            ["bridge", "--simulate", "--data-dir", str(state_dir / "bridge"), "--status", "log"],
            restart=False,
            env=ride.bridge_env,
        )
        supervisor.add(bridge)
        riding = asyncio.create_task(asyncio.sleep(args.ride_minutes * 60))
        try:
            await asyncio.wait(
                {riding, asyncio.create_task(stop.wait())}, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            riding.cancel()
            bridge.stop()  # its outbox is flushed before the session ends
            await asyncio.sleep(2.0)  # and stored by the ingest worker
            await rider.finish(http, ride)
            log.info("demo ride finished", extra={"session_id": ride.session_id})


def run(settings: Settings, args: argparse.Namespace) -> int:
    migrate(settings)
    asyncio.run(declare(settings))
    supervisor = Supervisor([Child(name, [name], restart=True) for name in SERVICES])
    url = f"http://{settings.http_host}:{settings.http_port}/"
    print(f"wattlog is starting: dashboard at {url}  (Ctrl-C stops everything)", flush=True)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        services = asyncio.create_task(supervisor.run(stop))
        try:
            if not args.no_ride:
                try:
                    await ride_demo(supervisor, settings, args, stop)
                except DemoError as error:
                    log.error(
                        "demo ride failed; the services keep running", extra={"error": str(error)}
                    )
            await services
        finally:
            stop.set()
            supervisor.stop_all()

    asyncio.run(main())
    print("wattlog stopped", flush=True)
    return 0
