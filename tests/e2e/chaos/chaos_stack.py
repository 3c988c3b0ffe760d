"""The whole wattlog stack as separate processes on the private services, one rider at a time.

`ChaosStack` starts `wattlog api`, `ingest`, `relay` and `project` (as `python -m
adapters.cli ...`, tests/processes.py), rides a session through the real API the way
`wattlog up` does (adapters/demo_ride.py: account, athlete, bridge with its own RabbitMQ
user, session) with `wattlog bridge --simulate`, and then counts: every (bridge, seq) the
bridge's outbox handed to the broker must be stored exactly once, and the relay and every
projector must have gone past the ride's last event.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import psycopg
from chaos_services import PrivatePostgres, PrivateRabbit, free_port
from processes import WattlogProcess, wattlog_env

from adapters.amqp import names
from adapters.demo_ride import DemoRide, DemoRider
from adapters.eventstore import WattlogStore
from adapters.settings import Settings
from bridge.outbox import Outbox

SERVICES = ("api", "ingest", "relay", "project")
VHOST = "wattlog"
DEADLINE_S = 90.0  # generous: the machine is small and shared; nothing here measures speed
BRIDGE_OUTBOX_BYTES = 64 * 1024 * 1024


@dataclass
class PrivateServices:
    postgres: PrivatePostgres
    rabbit: PrivateRabbit
    settings: Settings

    def ensure_running(self) -> None:
        self.postgres.ensure_running()
        self.rabbit.ensure_running()


@dataclass
class Ride:
    demo: DemoRide
    data_dir: Path
    first_seq: int
    bridge: WattlogProcess | None = None
    amqp_url: str | None = None

    @property
    def session_id(self) -> uuid.UUID:
        return uuid.UUID(self.demo.session_id)

    @property
    def client_id(self) -> str:
        return self.demo.bridge_env["WATTLOG_BRIDGE_CLIENT_ID"]

    def outbox(self) -> tuple[set[int], int]:
        """(unconfirmed sequence numbers, next sequence number), read without changing it."""
        uri = f"file:{self.data_dir / 'outbox.sqlite3'}?mode=ro"
        with sqlite3.connect(uri, uri=True) as db:
            pending = {int(row[0]) for row in db.execute("SELECT seq FROM samples")}
            next_seq = db.execute("SELECT value FROM meta WHERE key = 'next_seq'").fetchone()[0]
        return pending, int(next_seq)


@dataclass
class ChaosStack:
    services: PrivateServices
    workdir: Path
    processes: dict[str, WattlogProcess] = field(default_factory=dict)
    retired: list[WattlogProcess] = field(default_factory=list)
    rides: list[Ride] = field(default_factory=list)
    riders: int = 0
    http_port: int = 0

    @property
    def settings(self) -> Settings:
        return self.services.settings

    def env(self) -> dict[str, str]:
        return {
            **wattlog_env(self.settings, os.environ),
            "WATTLOG_DB_POOL_SIZE": "2",
            "WATTLOG_HTTP_PORT": str(self.http_port),
        }

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    # -- processes -------------------------------------------------------------------------

    async def start(self) -> None:
        self.http_port = free_port()
        for name in SERVICES:
            self.start_service(name)
        await self.wait_until_serving()

    def start_service(self, name: str) -> WattlogProcess:
        log = self.workdir / f"{name}-{time.monotonic_ns()}.log"
        process = WattlogProcess([name], self.env(), log).start()
        if name in self.processes:
            self.retired.append(self.processes[name])
        self.processes[name] = process
        return process

    def kill(self, name: str) -> None:
        self.processes[name].kill()

    async def restart(self, name: str) -> None:
        """What a supervisor does after a crash: start the same process again."""
        self.start_service(name)
        await self.wait_until_serving()

    async def wait_until_serving(self) -> None:
        """The API answers /readyz, every shard queue has a consumer, a relay is active."""
        async with aiohttp.ClientSession() as http:
            await DemoRider(self.api_url, self.workdir).wait_until_ready(http, DEADLINE_S)
        await self.until(self._ingest_subscribed, "ingest subscribed to every shard")
        await self.until(
            lambda: "relay active" in self.processes["relay"].log_text(), "relay active"
        )

    def _ingest_subscribed(self) -> bool:
        shards = range(self.settings.ingest_shards)
        return all(self.services.rabbit.consumers(VHOST, names.shard_queue(i)) for i in shards)

    def stop_bridges(self) -> None:
        for ride in self.rides:
            if ride.bridge is not None:
                ride.bridge.stop()
        self.rides.clear()

    def stop_all(self) -> None:
        self.stop_bridges()
        for process in reversed([*self.retired, *self.processes.values()]):
            process.stop()
        self.processes.clear()
        self.retired.clear()

    def healthy(self) -> bool:
        """Every service runs, the ingest worker consumes every shard, the relay is active."""
        if set(self.processes) != set(SERVICES) or self.dead_services():
            return False
        try:
            return self._ingest_subscribed()
        except OSError:
            return False

    def dead_services(self) -> list[str]:
        return [
            name
            for name, process in self.processes.items()
            if process.process is None or process.process.poll() is not None
        ]

    def diagnostics(self) -> str:
        lines = []
        for name, process in self.processes.items():
            code = process.process.poll() if process.process else None
            tail = process.log_text().splitlines()[-12:]
            lines.append(f"--- {name} (exit code {code}) ---")
            lines += [line[:400] for line in tail]
        return "\n".join(lines)

    # -- rides -----------------------------------------------------------------------------

    async def ride(self, *, via_port: int | None = None) -> Ride:
        """A new rider (account, athlete, bridge, session) and its simulated bridge, started;
        with `via_port`, the bridge reaches the broker through that port (a proxy)."""
        self.riders += 1
        state = self.workdir / f"rider-{self.riders}"
        async with aiohttp.ClientSession() as http:
            demo = await DemoRider(self.api_url, state).start(http, minutes=10)
        data_dir = state / "bridge"
        data_dir.mkdir(parents=True)
        outbox = Outbox(data_dir / "outbox.sqlite3", BRIDGE_OUTBOX_BYTES)
        first_seq = outbox.next_seq()
        outbox.close()
        amqp_url = None
        if via_port is not None:
            parts = urlsplit(demo.bridge_env["WATTLOG_BRIDGE_AMQP_URL"])
            netloc = parts.netloc.rsplit(":", 1)[0] + f":{via_port}"
            amqp_url = urlunsplit(parts._replace(netloc=netloc))
        ride = Ride(demo, data_dir, first_seq, amqp_url=amqp_url)
        self.rides.append(ride)
        self.start_bridge(ride)
        return ride

    def start_bridge(self, ride: Ride) -> WattlogProcess:
        env = {**self.env(), **ride.demo.bridge_env}
        if ride.amqp_url is not None:
            env["WATTLOG_BRIDGE_AMQP_URL"] = ride.amqp_url
        argv = ["bridge", "--simulate", "--data-dir", str(ride.data_dir), "--status", "log"]
        log = ride.data_dir.parent / f"bridge-{time.monotonic_ns()}.log"
        ride.bridge = WattlogProcess(argv, env, log).start()
        return ride.bridge

    async def finish(self, ride: Ride) -> None:
        """The rider ends the session and revokes the bridge (its RabbitMQ user goes too)."""
        async with aiohttp.ClientSession() as http:
            await _finish(http, self.api_url, ride)

    # -- counting --------------------------------------------------------------------------

    def stored_seqs(self, ride: Ride) -> list[int]:
        store = WattlogStore(self.settings.replace(db_pool_size=1))
        try:
            events = store.events.get(ride.session_id)
            return [e.seq for e in events if type(e).__name__ == "SampleRecorded"]
        finally:
            store.close()

    async def stored_count(self, ride: Ride) -> int:
        try:
            return len(await asyncio.to_thread(self.stored_seqs, ride))
        except Exception:  # the database may be away: that is the fault under test
            return -1

    async def until(self, check: Any, what: str, within_s: float = DEADLINE_S) -> None:
        deadline = time.monotonic() + within_s
        while True:
            try:
                result = check()
                if asyncio.iscoroutine(result):
                    result = await result
            except Exception:
                result = False
            if result:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"not within {within_s:.0f}s: {what}\n{self.diagnostics()}")
            await asyncio.sleep(0.3)

    async def wait_stored(self, ride: Ride, more_than: int) -> int:
        count = 0

        async def check() -> bool:
            nonlocal count
            count = await self.stored_count(ride)
            return count > more_than

        await self.until(check, f"more than {more_than} samples of {ride.client_id} stored")
        return count

    async def recovery(self, ride: Ride, fault_end: float, scenario: str) -> float:
        """Seconds from the fault's end to the first sample stored after it; printed."""
        before = await self.stored_count(ride)
        await self.wait_stored(ride, max(before, 0))
        seconds = time.monotonic() - fault_end
        RECOVERY_TIMES.append((scenario, seconds))
        print(f"\nchaos: {scenario}: recovered in {seconds:.1f}s", flush=True)
        return seconds

    async def drained(self, ride: Ride) -> None:
        """Rides on until the bridge's outbox is (nearly) empty, then stops the bridge."""

        def small_backlog() -> bool:
            pending, _ = ride.outbox()
            return len(pending) <= 20

        await self.until(small_backlog, f"the outbox of {ride.client_id} drained")
        assert ride.bridge is not None
        ride.bridge.stop()

    async def assert_every_sample_stored_once(self, ride: Ride) -> None:
        """Stops the bridge and counts: what the broker confirmed is stored exactly once."""
        await self.drained(ride)
        pending, next_seq = ride.outbox()
        confirmed = set(range(ride.first_seq, next_seq)) - pending
        assert len(confirmed) > 40, "the ride produced too little to count"

        async def all_stored() -> bool:
            return confirmed <= set(await asyncio.to_thread(self.stored_seqs, ride))

        try:
            await self.until(all_stored, "every confirmed sample stored")
        finally:
            stored = await asyncio.to_thread(self.stored_seqs, ride)
            missing = sorted(confirmed - set(stored))
            duplicates = sorted(seq for seq, n in Counter(stored).items() if n > 1)
            assert not missing and not duplicates, (
                f"{len(missing)} confirmed samples not stored (first {missing[:5]}), "
                f"{len(duplicates)} stored twice\n{self.diagnostics()}"
            )
        assert set(stored) <= set(range(ride.first_seq, next_seq))
        await self.assert_read_side_caught_up(ride)

    async def assert_read_side_caught_up(self, ride: Ride) -> None:
        """The relay and every projector went past the ride's last event."""
        last = await asyncio.to_thread(self._last_notification, ride)

        def positions() -> dict[str, int]:
            with psycopg.connect(self.settings.database_url) as conn:
                rows = conn.execute(
                    "SELECT application_name, notification_id FROM projection_tracking"
                    " UNION ALL SELECT 'relay', notification_id FROM relay_positions"
                ).fetchall()
            return {str(name): int(position) for name, position in rows}

        async def caught_up() -> bool:
            seen = await asyncio.to_thread(positions)
            return all(seen.get(name, 0) >= last for name in ("samples", "summaries", "relay"))

        await self.until(caught_up, f"relay and projectors past notification {last}")

    def _last_notification(self, ride: Ride) -> int:
        with psycopg.connect(self.settings.database_url) as conn:
            row = conn.execute(
                "SELECT max(notification_id) FROM wattlog_events WHERE originator_id = %s",
                (ride.session_id,),
            ).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def dead_lettered(self, ride: Ride) -> dict[int, str]:
        """seq -> reason, for this bridge's samples in the dead-letter queue (left in place)."""
        messages = self.services.rabbit.management(
            "POST",
            f"/api/queues/{VHOST}/{names.DEAD_LETTER_QUEUE}/get",
            {"count": 100000, "ackmode": "ack_requeue_true", "encoding": "auto"},
        )
        found: dict[int, str] = {}
        for message in messages if isinstance(messages, list) else []:
            try:
                body = json.loads(message["payload"])
            except (ValueError, TypeError):
                continue
            if not isinstance(body, dict) or body.get("client_id") != ride.client_id:
                continue
            reason = str(
                (message.get("properties") or {}).get("headers", {}).get(names.REASON_HEADER, "")
            )
            for sample in body.get("samples") or []:
                if isinstance(sample, dict) and isinstance(sample.get("seq"), int):
                    found[sample["seq"]] = reason
        return found


RECOVERY_TIMES: list[tuple[str, float]] = []


async def _finish(http: aiohttp.ClientSession, api_url: str, ride: Ride) -> None:
    account = json.loads((ride.data_dir.parent / "demo-account.json").read_text())
    async with http.post(f"{api_url}/api/auth/login", json=account) as response:
        assert response.status == 200, await response.text()
        tokens = await response.json()
    tokens = tokens.get("tokens", tokens)
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    finish = f"{api_url}/api/sessions/{ride.demo.session_id}/finish"
    async with http.post(finish, headers=headers) as response:
        assert response.status < 300, await response.text()
    bridge = f"{api_url}/api/bridges/{ride.demo.bridge_id}"
    async with http.delete(bridge, headers=headers) as response:
        assert response.status < 300, await response.text()
