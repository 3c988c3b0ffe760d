"""How many riders one box holds: simulated bridges at 4 notifications/s each against the
whole stack on this machine (ingest workers, relay and API processes as real processes),
with this machine's own limits measured in the same run.

    .venv/bin/python ops/bench/ingest.py --tier smoke|basic|load|spike [--duration 60]
    .venv/bin/python ops/bench/ingest.py --riders 300 --duration 60
    .venv/bin/python ops/bench/ingest.py --tier load --workers 2 --apis 2
    .venv/bin/python ops/bench/ingest.py --find-max [--riders START] [--p99-limit-ms 1000]

Every tenth rider has an account and a dashboard socket on `/ws/live` (on API process
i mod --apis): `latency_ws_ms` is from the notification's device time to its arrival there.
Every rider sends one envelope before the ride, so the ride is measured with every session
routed and loaded; `cold_start_s` is how long that took (every rider's first envelope at
once, as after a worker's restart).
Prints one JSON line of figures, then a short table. Lost and duplicated samples are
counted from the event store and must be 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import psycopg
from baselines import naive_events_per_s, raw_copy_rows_per_s, raw_publish_consume_per_s
from benchlib import report, scratch_settings
from dashboards import Dashboards, WatchedRider, register_riders
from loadgen import RATE_HZ, LoadPlan, run_generator_measured, warm_up
from measure import (
    DatabaseCpu,
    LiveLatency,
    ProcessUsage,
    QueueDepths,
    active_shards_per_connection,
    audit_store,
    broker_pid,
    percentiles,
    wait_until_stored,
)

from adapters.amqp.topology_command import declare
from adapters.eventstore import WattlogStore
from adapters.services.sessions import SessionService
from adapters.settings import Settings

TIERS = {"smoke": (5, 20.0), "basic": (50, 60.0), "load": (500, 60.0), "spike": (2000, 60.0)}
LIVE_SAMPLE_EVERY = 10  # measure the live feed of every tenth rider
DRAIN_TIMEOUT_S = 300.0
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _log_path(label: str) -> Path:
    return Path(tempfile.gettempdir()) / f"wattlog-bench-{label}-{os.getpid()}.log"


def _start(
    settings: Settings, name: str, *args: str, label: str | None = None, **env_vars: str
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "WATTLOG_ENV": "test",
        "WATTLOG_DATABASE_URL": settings.database_url,
        "WATTLOG_AMQP_URL": settings.amqp_url,
        "WATTLOG_INGEST_SHARDS": str(settings.ingest_shards),
        "WATTLOG_LIVE_PARTITIONS": str(settings.live_partitions),
        **env_vars,
    }
    with _log_path(label or name).open("ab") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", name, *args], env=env, cwd=ROOT, stderr=log
        )


def _wait_ready(url: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} never became ready")
        time.sleep(0.5)


def _start_sessions(settings: Settings, riders: int) -> list[str]:
    """Sessions of riders nobody watches (the watched ones: `dashboards.register_riders`)."""
    store = WattlogStore(settings)
    service = SessionService(store)
    client_ids = []
    for _ in range(riders):
        client_id = f"bench-{uuid.uuid4().hex[:10]}"
        service.start(
            athlete_id=uuid.uuid4(), owner_id=uuid.uuid4(), client_id=client_id, ftp_w=250
        )
        client_ids.append(client_id)
    store.close()
    return client_ids


async def _drive(
    settings: Settings,
    client_ids: list[str],
    watched: list[WatchedRider],
    duration: float,
    generators: int,
    send_interval: float,
) -> dict[str, Any]:
    bench_cpu_started = time.process_time()
    live = LiveLatency()
    live_connection = await live.subscribe(
        settings.amqp_url, [rider.owner_id for rider in watched], settings.live_partitions
    )
    dashboards = Dashboards()
    await dashboards.open(watched)
    depths = QueueDepths(settings.amqp_vhost)
    stop_sampling = asyncio.Event()
    sampler = asyncio.create_task(depths.run(stop_sampling))
    start_at = time.time() + 2.0
    chunks = [tuple(client_ids[i::generators]) for i in range(generators)]
    plans = [LoadPlan(settings.amqp_url, c, duration, start_at, send_interval) for c in chunks if c]
    loop = asyncio.get_running_loop()
    with multiprocessing.get_context("spawn").Pool(len(plans)) as pool:
        results = [pool.apply_async(run_generator_measured, (plan,)) for plan in plans]
        outcomes = [await loop.run_in_executor(None, result.get) for result in results]
    published_total = sum(published for published, _ in outcomes)
    stop_sampling.set()
    await sampler
    await asyncio.sleep(1.0)
    await live_connection.close()
    await dashboards.close()
    return {
        "published": published_total,
        "live": live.latencies,
        "ws": dashboards.latencies,
        "ws_samples_by_api": dict(dashboards.samples_by_api),
        "ws_unique": len(dashboards.unique_samples),
        "depths": depths.peak,
        # The load's own CPU, outside the server's: the generators, and this process
        # (the dashboards' sockets and the live-queue reader decode what they receive).
        "client_cpu_s": {
            "generators": round(sum(cpu for _, cpu in outcomes), 2),
            "bench": round(time.process_time() - bench_cpu_started, 2),
        },
    }


def run_once(
    riders: int,
    duration: float,
    workers: int,
    generators: int,
    baselines: bool = True,
    send_interval: float = 0.5,
    apis: int = 1,
    live_partitions: int = 4,
    kill_relay: bool = False,
) -> dict[str, Any]:
    with scratch_settings(ingest_shards=4, live_partitions=live_partitions) as settings:
        asyncio.run(declare(settings))
        watched_count = -(-riders // LIVE_SAMPLE_EVERY)
        client_ids = _start_sessions(settings, riders - watched_count)
        processes: dict[str, subprocess.Popen[bytes]] = {}
        try:
            processes.update(
                {
                    f"ingest-{i}": _start(
                        settings,
                        "ingest",
                        WATTLOG_INGEST_WORKERS=str(workers),
                        WATTLOG_INGEST_WORKER_INDEX=str(i),
                    )
                    for i in range(workers)
                }
            )
            processes["relay"] = _start(settings, "relay")
            if kill_relay:
                time.sleep(2.0)  # the first one leads
                processes["relay-standby"] = _start(settings, "relay", label="relay-standby")
            ports = [_free_port() for _ in range(apis)]
            api_urls = [f"http://127.0.0.1:{port}" for port in ports]
            for i, port in enumerate(ports):
                processes[f"api-{i}"] = _start(
                    settings, "api", "--port", str(port), label=f"api-{i}"
                )
            for url in api_urls:
                _wait_ready(url)
            watched = asyncio.run(register_riders(settings, api_urls, watched_count))
            client_ids += [rider.client_id for rider in watched]
            time.sleep(3.0)  # consumers subscribed, relay leader
            shards = active_shards_per_connection(settings.amqp_vhost)
            # Each rider's first envelope makes its worker route it and load its session:
            # done before the ride, so that the ride is the steady state; its time is the
            # workers' cold start with every rider at once.
            warming = time.monotonic()
            asyncio.run(warm_up(settings.amqp_url, client_ids))
            with psycopg.connect(settings.database_url) as conn:
                wait_until_stored(conn, len(client_ids), DRAIN_TIMEOUT_S)
            warm_up_s = time.monotonic() - warming
            usage = {name: ProcessUsage(p.pid) for name, p in processes.items()}
            broker = broker_pid()
            if broker is not None:
                usage["rabbitmq"] = ProcessUsage(broker)
            database = DatabaseCpu(settings.database_url)
            for u in usage.values():
                u.start()
            database.start()
            started = time.monotonic()
            takeover: list[float] = []
            if kill_relay:
                threading.Thread(
                    target=_kill_relay_midway,
                    args=(processes["relay"], _log_path("relay-standby"), duration / 2, takeover),
                    daemon=True,
                ).start()
            driven = asyncio.run(
                _drive(settings, client_ids, watched, duration, generators, send_interval)
            )
            per_rider = int(int(duration) * RATE_HZ)
            published = dict.fromkeys(client_ids, per_rider)
            deadline = time.monotonic() + DRAIN_TIMEOUT_S
            while True:
                audit = audit_store(settings.database_url, published)
                if audit.lost == 0 or time.monotonic() > deadline:
                    break
                time.sleep(2.0)
            # Until the last sample was stored (within 2 s), the drain of any backlog included.
            elapsed = time.monotonic() - started
            cpu = {name: u.cpu_since_start() for name, u in usage.items()}
            cpu["postgresql"] = database.stop()
            rss = {name: u.peak_rss_mb() for name, u in usage.items() if name != "rabbitmq"}
        finally:
            _stop(processes)
        limits = (
            {
                "raw_copy_rows_per_s": round(raw_copy_rows_per_s(settings, 200_000)),
                "raw_publish_consume_per_s": round(raw_publish_consume_per_s(settings, 20_000)),
                "naive_events_per_s": round(naive_events_per_s(settings, 1000)),
            }
            if baselines
            else {}
        )
    offered = driven["published"] / duration
    return {
        "riders": riders,
        "duration_s": duration,
        "ingest_workers": workers,
        "api_processes": apis,
        "live_partitions": live_partitions,
        "send_interval_s": send_interval,
        "samples_offered_per_s": round(offered),
        "samples_stored_per_s": round(audit.stored / elapsed),
        "stored": audit.stored,
        "lost": audit.lost,
        "duplicated": audit.duplicated,
        "latency_live_ms": percentiles(driven["live"]),
        "latency_ws_ms": percentiles(driven["ws"]),
        "latency_commit_ms": percentiles(audit.commit_latencies),
        "ws_samples_by_api": driven["ws_samples_by_api"],
        "ws_samples_missing": len(watched) * per_rider - driven["ws_unique"],
        "relay_takeover_s": round(takeover[0], 2) if takeover else None,
        "cold_start_s": round(warm_up_s, 2),
        "active_shards_per_ingest_worker": shards,
        "cpu_s": {k: round(v, 2) for k, v in cpu.items()},
        "cpu_share_of_one_core": {k: round(v / elapsed, 2) for k, v in cpu.items()},
        "server_cpu_us_per_sample": _cpu_per_sample(cpu, audit.stored),
        "client_cpu_share_of_one_core": {
            k: round(v / elapsed, 2) for k, v in driven["client_cpu_s"].items()
        },
        "peak_rss_mb": rss,
        "peak_queue_depth": {k: v for k, v in driven["depths"].items() if v},
        "baselines": limits,
    }


def _stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    """SIGTERM, then SIGKILL what is still running 30 s later (the run failed, say)."""
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _kill_relay_midway(
    active: subprocess.Popen[bytes], standby_log: Path, after_s: float, takeover: list[float]
) -> None:
    """SIGKILLs the active relay `after_s` into the ride (after the start delay); records
    how long the standby took to say `relay active`."""
    time.sleep(after_s + 2.0)
    killed = time.monotonic()
    active.kill()
    while time.monotonic() - killed < 60:
        if "relay active" in standby_log.read_text():
            takeover.append(time.monotonic() - killed)
            return
        time.sleep(0.05)


def _cpu_per_sample(cpu: dict[str, float], stored: int) -> dict[str, float]:
    """Server CPU (us) per stored notification, by part; the load generator is not counted.
    `rabbitmq` is the whole broker node, which other users of this broker share."""
    parts: dict[str, float] = {}
    for name, seconds in cpu.items():
        part = name.split("-")[0]
        parts[part] = parts.get(part, 0.0) + seconds
    per = {part: round(seconds * 1e6 / max(stored, 1)) for part, seconds in parts.items()}
    per["total"] = sum(per.values())
    return per


def _table(result: dict[str, Any]) -> list[tuple[str, ...]]:
    live, commit, ws = (
        result["latency_live_ms"],
        result["latency_commit_ms"],
        result["latency_ws_ms"],
    )
    limits = result["baselines"]
    rows = [
        ("figure", "value"),
        ("riders", str(result["riders"])),
        (
            "samples/s offered / stored",
            f"{result['samples_offered_per_s']} / {result['samples_stored_per_s']}",
        ),
        ("lost / duplicated", f"{result['lost']} / {result['duplicated']}"),
        (
            "live latency p50/p95/p99/max ms",
            f"{live['p50']}/{live['p95']}/{live['p99']}/{live['max']}",
        ),
        (
            "dashboard (/ws/live) latency p50/p95/p99/max ms",
            f"{ws['p50']}/{ws['p95']}/{ws['p99']}/{ws['max']}",
        ),
        ("dashboard samples per API", json.dumps(result["ws_samples_by_api"])),
        ("cold start s (first envelope of every rider)", str(result["cold_start_s"])),
        ("active shards per ingest worker", json.dumps(result["active_shards_per_ingest_worker"])),
        (
            "commit latency p50/p95/p99/max ms",
            f"{commit['p50']}/{commit['p95']}/{commit['p99']}/{commit['max']}",
        ),
        ("peak RSS MB", json.dumps(result["peak_rss_mb"])),
        ("CPU share of a core", json.dumps(result["cpu_share_of_one_core"])),
        ("server CPU us per stored sample", json.dumps(result["server_cpu_us_per_sample"])),
        ("load's CPU share of a core", json.dumps(result["client_cpu_share_of_one_core"])),
    ]
    if limits:
        rows += [
            ("baseline COPY rows/s", str(limits["raw_copy_rows_per_s"])),
            ("baseline AMQP publish+consume msg/s", str(limits["raw_publish_consume_per_s"])),
            ("baseline naive events/s", str(limits["naive_events_per_s"])),
        ]
    return rows


def find_max(
    duration: float,
    workers: int,
    generators: int,
    send_interval: float,
    apis: int,
    live_partitions: int,
    start: int = 100,
    p99_limit_ms: float = 1000.0,
    refinements: int = 2,
) -> dict[str, Any]:
    """Raises the riders by half from `start` until a trial fails (a sample lost or
    duplicated, or p99 at the WebSocket over the limit), then halves the gap between the
    last that held and the first that failed `refinements` times."""
    riders, best, failed = start, None, None
    while True:
        result = run_once(
            riders, duration, workers, generators, False, send_interval, apis, live_partitions
        )
        held = result["lost"] == 0 and result["duplicated"] == 0
        held = held and result["latency_ws_ms"]["p99"] < p99_limit_ms
        print(
            json.dumps(
                {
                    "trial": riders,
                    "held": held,
                    "p99_live_ms": result["latency_live_ms"]["p99"],
                    "p99_ws_ms": result["latency_ws_ms"]["p99"],
                }
            ),
            flush=True,
        )
        if held:
            best = result
        else:
            failed = riders
        if failed is None:
            riders = int(riders * 1.5)
            continue
        low = best["riders"] if best else 0
        if refinements == 0 or failed - low <= max(10, low // 20):
            return {
                "max_riders_held": low,
                "first_failed": failed,
                "p99_limit_ms": p99_limit_ms,
                "at_max": best,
            }
        refinements -= 1
        riders = (low + failed) // 2


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--tier", choices=TIERS, default="smoke")
    parser.add_argument("--riders", type=int, help="overrides the tier's riders")
    parser.add_argument("--duration", type=float, help="seconds of riding (tier default)")
    parser.add_argument("--workers", type=int, default=1, help="ingest worker processes")
    parser.add_argument("--apis", type=int, default=1, help="API processes (dashboards spread)")
    parser.add_argument("--generators", type=int, default=1, help="load generator processes")
    parser.add_argument(
        "--live-partitions", type=int, default=4, help="WATTLOG_LIVE_PARTITIONS of the stack"
    )
    parser.add_argument(
        "--send-interval",
        type=float,
        default=0.5,
        help="seconds between a simulated bridge's sends (0: each notification as it happens)",
    )
    parser.add_argument(
        "--kill-relay",
        action="store_true",
        help="run a standby relay and SIGKILL the active one halfway (relay_takeover_s)",
    )
    parser.add_argument("--find-max", action="store_true")
    parser.add_argument(
        "--p99-limit-ms",
        type=float,
        default=1000.0,
        help="find-max: a trial holds while p99 at the WebSocket is under this",
    )
    parser.add_argument(
        "--skip-baselines",
        action="store_true",
        help="correctness only (the test command's smoke run)",
    )
    args = parser.parse_args()
    riders, duration = TIERS[args.tier]
    riders, duration = args.riders or riders, args.duration or duration
    if args.find_max:
        result = find_max(
            duration,
            args.workers,
            args.generators,
            args.send_interval,
            args.apis,
            args.live_partitions,
            start=args.riders or 100,
            p99_limit_ms=args.p99_limit_ms,
        )
        report(
            "ingest-find-max",
            result,
            [
                ("max riders held", str(result["max_riders_held"])),
                ("first that failed", str(result["first_failed"])),
            ],
        )
        return
    result = run_once(
        riders,
        duration,
        args.workers,
        args.generators,
        not args.skip_baselines,
        args.send_interval,
        args.apis,
        args.live_partitions,
        args.kill_relay,
    )
    report("ingest", {"tier": args.tier, **result}, _table(result))


if __name__ == "__main__":
    main()
