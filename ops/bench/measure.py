"""Measurements taken while a benchmark runs: CPU and peak memory of processes (from /proc),
RabbitMQ queue depths (management API), live-feed latency, and what the event store holds."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import statistics
import threading
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote
from uuid import UUID

import aio_pika
import orjson
import psycopg
from eventsourcing.utils import get_topic
from loadgen import WARM_UP_SEQ

from adapters import live_message
from adapters.amqp import names
from domain.events import SampleRecorded

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SAMPLE_TOPIC = get_topic(SampleRecorded)


@dataclass
class ProcessUsage:
    pid: int
    cpu_start: float = 0.0

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def start(self) -> None:
        self.cpu_start = self.cpu_seconds()

    def cpu_since_start(self) -> float:
        return self.cpu_seconds() - self.cpu_start

    def peak_rss_mb(self) -> float:
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
        return 0.0


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0, "n": 0}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "p50": round(statistics.median(ordered) * 1000, 1),
        "p95": round(pick(0.95) * 1000, 1),
        "p99": round(pick(0.99) * 1000, 1),
        "max": round(ordered[-1] * 1000, 1),
        "n": len(ordered),
    }


def _management_get(path: str) -> Any:
    request = urllib.request.Request(
        f"http://localhost:15672/api/{path}",
        headers={"authorization": "Basic " + base64.b64encode(b"guest:guest").decode()},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def active_shards_per_connection(vhost: str) -> list[int]:
    """How many shard queues each consuming connection is the single active consumer of
    (one connection per ingest worker), most first."""
    counts: dict[str, int] = defaultdict(int)
    for consumer in _management_get(f"consumers/{quote(vhost, safe='')}"):
        queue = consumer.get("queue", {}).get("name", "")
        details = consumer.get("channel_details")  # an empty list for a closing channel
        if queue.startswith("ble.ingest.") and consumer.get("active", True) and details:
            counts[details["connection_name"]] += 1
    return sorted(counts.values(), reverse=True)


def broker_pid() -> int | None:
    """The RabbitMQ node on this machine (shared by everything that uses the broker)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as comm:
                    if comm.read().strip() == "beam.smp":
                        return int(entry)
            except OSError:
                continue
    return None


@dataclass
class DatabaseCpu:
    """CPU of the PostgreSQL backends serving one database (sampled every second: a backend
    is counted from its first sighting to its last)."""

    database_url: str
    seen: dict[int, tuple[float, float]] = field(default_factory=dict)
    missed: int = 0
    _conn: psycopg.Connection[Any] | None = None

    def sample(self) -> None:
        try:
            if self._conn is None or self._conn.closed:
                self._conn = psycopg.connect(self.database_url, autocommit=True)
            pids = [
                int(row[0])
                for row in self._conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid()"
                )
            ]
        except psycopg.OperationalError:
            self.missed += 1  # a busy shared server: try again at the next sample
            return
        for pid in pids:
            try:
                cpu = ProcessUsage(pid).cpu_seconds()
            except OSError:
                continue  # gone since
            first, _ = self.seen.get(pid, (cpu, cpu))
            self.seen[pid] = (first, cpu)

    def seconds(self) -> float:
        return sum(last - first for first, last in self.seen.values())

    def start(self) -> None:
        self.sample()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> float:
        """Stops sampling; the backends' CPU seconds since `start`."""
        self._stop.set()
        self._thread.join()
        self.sample()
        if self._conn is not None:
            self._conn.close()
        return self.seconds()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.sample()


@dataclass
class QueueDepths:
    vhost: str
    peak: dict[str, int] = field(default_factory=dict)

    def sample(self) -> None:
        request = urllib.request.Request(
            f"http://localhost:15672/api/queues/{quote(self.vhost, safe='')}",
            headers={"authorization": "Basic " + base64.b64encode(b"guest:guest").decode()},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            for queue in json.load(response):
                name, depth = queue["name"], int(queue.get("messages", 0))
                self.peak[name] = max(self.peak.get(name, 0), depth)

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            await loop.run_in_executor(None, self.sample)
            await asyncio.sleep(1.0)


class LiveLatency:
    """Subscribes to the live partitions of some riders and records notification-to-live
    delay (arrival of the live message on `wattlog.live`) of their samples."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.messages = 0

    async def subscribe(
        self, amqp_url: str, owner_ids: list[str], partitions: int
    ) -> aio_pika.abc.AbstractConnection:
        connection = await aio_pika.connect_robust(amqp_url)
        channel = await connection.channel()
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        exchange = await channel.get_exchange(names.LIVE_EXCHANGE, ensure=False)
        watched = set(owner_ids)
        keys = {live_message.partition_of(UUID(owner), partitions) for owner in owner_ids}
        for partition in sorted(keys):
            await queue.bind(exchange, routing_key=live_message.routing_key(partition))

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            arrived = time.time()
            self.messages += 1
            for _, data in live_message.decode(message.body).items_for(watched):
                if data["kind"] == live_message.KIND_SAMPLE:
                    self.latencies.append(arrived - data["t"])

        await queue.consume(on_message, no_ack=True)
        return connection


@dataclass
class StoreAudit:
    stored: int
    lost: int
    duplicated: int
    commit_latencies: list[float]


def _connect_patiently(database_url: str, attempts: int = 10) -> psycopg.Connection[Any]:
    """A connection, waiting out a shared server that is short of connection slots."""
    for _ in range(attempts - 1):
        try:
            return psycopg.connect(database_url)
        except psycopg.OperationalError:
            time.sleep(2.0)
    return psycopg.connect(database_url)


def audit_store(database_url: str, published: dict[str, int]) -> StoreAudit:
    """Reads every stored sample of the ride back: per bridge, each sequence number exactly
    once?"""
    seen: dict[str, list[int]] = defaultdict(list)
    latencies: list[float] = []
    with _connect_patiently(database_url) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT state FROM wattlog_events WHERE topic = %s",
            (SAMPLE_TOPIC,),
        )
        for (state,) in cursor:
            event: dict[str, Any] = orjson.loads(state)
            if event["seq"] >= WARM_UP_SEQ:
                continue  # the warm-up's (ops/bench/loadgen.py), not the ride's
            seen[event["client_id"]].append(event["seq"])
            committed = datetime.fromisoformat(event["timestamp"]["_data_"]).timestamp()
            latencies.append(committed - event["device_time"])
    lost = duplicated = stored = 0
    for client_id, count in published.items():
        seqs = seen.get(client_id, [])
        stored += len(seqs)
        duplicated += len(seqs) - len(set(seqs))
        lost += count - len(set(seqs) & set(range(count)))
    return StoreAudit(stored, lost, duplicated, latencies)


def wait_until_stored(conn: psycopg.Connection[Any], expected: int, timeout_s: float) -> None:
    """Until `expected` samples are stored, warm-up included (or the time is up: the audit
    tells what is missing)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        row = conn.execute(
            "SELECT count(*) FROM wattlog_events WHERE topic = %s", (SAMPLE_TOPIC,)
        ).fetchone()
        if row is not None and row[0] >= expected:
            return
        time.sleep(0.2)
