"""How many riders one box holds: simulated bridges at 4 notifications/s each against the
whole stack on this machine (ingest workers and relay as real processes), with this
machine's own limits measured in the same run.

    .venv/bin/python ops/bench/ingest.py --tier smoke|basic|load|spike [--duration 60]
    .venv/bin/python ops/bench/ingest.py --riders 300 --duration 60
    .venv/bin/python ops/bench/ingest.py --find-max

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
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from baselines import naive_events_per_s, raw_copy_rows_per_s, raw_publish_consume_per_s
from benchlib import report, scratch_settings
from loadgen import RATE_HZ, LoadPlan, run_generator
from measure import LiveLatency, ProcessUsage, QueueDepths, audit_store, percentiles

from adapters.amqp.topology_command import declare
from adapters.eventstore import WattlogStore
from adapters.sessions.service import SessionService
from adapters.settings import Settings

TIERS = {"smoke": (5, 20.0), "basic": (50, 60.0), "load": (500, 60.0), "spike": (2000, 60.0)}
LIVE_SAMPLE_EVERY = 10  # measure the live feed of every tenth rider
DRAIN_TIMEOUT_S = 300.0
ROOT = Path(__file__).resolve().parents[2]


def _start(settings: Settings, name: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "WATTLOG_ENV": "test",
        "WATTLOG_DATABASE_URL": settings.database_url,
        "WATTLOG_AMQP_URL": settings.amqp_url,
        "WATTLOG_INGEST_SHARDS": str(settings.ingest_shards),
    }
    log_path = Path(tempfile.gettempdir()) / f"wattlog-bench-{name}-{os.getpid()}.log"
    with log_path.open("ab") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "adapters.cli", name], env=env, cwd=ROOT, stderr=log
        )


def _start_sessions(settings: Settings, riders: int) -> tuple[list[str], list[str]]:
    store = WattlogStore(settings)
    service = SessionService(store)
    client_ids, owners = [], []
    for _ in range(riders):
        client_id, owner = f"bench-{uuid.uuid4().hex[:10]}", uuid.uuid4()
        service.start(athlete_id=uuid.uuid4(), owner_id=owner, client_id=client_id, ftp_w=250)
        client_ids.append(client_id)
        owners.append(str(owner))
    store.close()
    return client_ids, owners


async def _drive(
    settings: Settings,
    client_ids: list[str],
    owners: list[str],
    duration: float,
    generators: int,
    send_interval: float,
) -> dict[str, Any]:
    live = LiveLatency()
    live_connection = await live.subscribe(settings.amqp_url, owners[::LIVE_SAMPLE_EVERY])
    depths = QueueDepths(settings.amqp_vhost)
    stop_sampling = asyncio.Event()
    sampler = asyncio.create_task(depths.run(stop_sampling))
    start_at = time.time() + 2.0
    chunks = [tuple(client_ids[i::generators]) for i in range(generators)]
    plans = [LoadPlan(settings.amqp_url, c, duration, start_at, send_interval) for c in chunks if c]
    loop = asyncio.get_running_loop()
    with multiprocessing.get_context("spawn").Pool(len(plans)) as pool:
        results = [pool.apply_async(run_generator, (plan,)) for plan in plans]
        published_total = sum([await loop.run_in_executor(None, result.get) for result in results])
    stop_sampling.set()
    await sampler
    await asyncio.sleep(1.0)
    await live_connection.close()
    return {"published": published_total, "live": live.latencies, "depths": depths.peak}


def run_once(
    riders: int,
    duration: float,
    workers: int,
    generators: int,
    baselines: bool = True,
    send_interval: float = 0.5,
) -> dict[str, Any]:
    with scratch_settings(ingest_shards=4) as settings:
        asyncio.run(declare(settings))
        client_ids, owners = _start_sessions(settings, riders)
        processes = {f"ingest-{i}": _start(settings, "ingest") for i in range(workers)}
        processes["relay"] = _start(settings, "relay")
        time.sleep(3.0)  # consumers subscribed, relay leader
        usage = {name: ProcessUsage(p.pid) for name, p in processes.items()}
        for u in usage.values():
            u.start()
        started = time.monotonic()
        driven = asyncio.run(
            _drive(settings, client_ids, owners, duration, generators, send_interval)
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
        cpu = {name: round(u.cpu_since_start(), 1) for name, u in usage.items()}
        rss = {name: u.peak_rss_mb() for name, u in usage.items()}
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
            process.wait(30)
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
        "send_interval_s": send_interval,
        "samples_offered_per_s": round(offered),
        "samples_stored_per_s": round(audit.stored / elapsed),
        "stored": audit.stored,
        "lost": audit.lost,
        "duplicated": audit.duplicated,
        "latency_live_ms": percentiles(driven["live"]),
        "latency_commit_ms": percentiles(audit.commit_latencies),
        "cpu_s": cpu,
        "cpu_share_of_one_core": {k: round(v / elapsed, 2) for k, v in cpu.items()},
        "peak_rss_mb": rss,
        "peak_queue_depth": {k: v for k, v in driven["depths"].items() if v},
        "baselines": limits,
    }


def _table(result: dict[str, Any]) -> list[tuple[str, ...]]:
    live, commit = result["latency_live_ms"], result["latency_commit_ms"]
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
            "commit latency p50/p95/p99/max ms",
            f"{commit['p50']}/{commit['p95']}/{commit['p99']}/{commit['max']}",
        ),
        ("peak RSS MB", json.dumps(result["peak_rss_mb"])),
        ("CPU share of a core", json.dumps(result["cpu_share_of_one_core"])),
    ]
    if limits:
        rows += [
            ("baseline COPY rows/s", str(limits["raw_copy_rows_per_s"])),
            ("baseline AMQP publish+consume msg/s", str(limits["raw_publish_consume_per_s"])),
            ("baseline naive events/s", str(limits["naive_events_per_s"])),
        ]
    return rows


def find_max(
    duration: float, workers: int, generators: int, send_interval: float
) -> dict[str, Any]:
    riders, best = 100, None
    while True:
        result = run_once(riders, duration, workers, generators, False, send_interval)
        held = result["lost"] == 0 and result["duplicated"] == 0
        held = held and result["latency_live_ms"]["p99"] < 1000
        print(
            json.dumps(
                {"trial": riders, "held": held, "p99_live_ms": result["latency_live_ms"]["p99"]}
            )
        )
        if not held:
            return {"max_riders_held": best["riders"] if best else 0, "at_max": best}
        best, riders = result, int(riders * 1.5)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--tier", choices=TIERS, default="smoke")
    parser.add_argument("--riders", type=int, help="overrides the tier's riders")
    parser.add_argument("--duration", type=float, help="seconds of riding (tier default)")
    parser.add_argument("--workers", type=int, default=1, help="ingest worker processes")
    parser.add_argument("--generators", type=int, default=1, help="load generator processes")
    parser.add_argument(
        "--send-interval",
        type=float,
        default=0.5,
        help="seconds between a simulated bridge's sends (0: each notification as it happens)",
    )
    parser.add_argument("--find-max", action="store_true")
    parser.add_argument(
        "--skip-baselines",
        action="store_true",
        help="correctness only (the test command's smoke run)",
    )
    args = parser.parse_args()
    riders, duration = TIERS[args.tier]
    riders, duration = args.riders or riders, args.duration or duration
    if args.find_max:
        result = find_max(duration, args.workers, args.generators, args.send_interval)
        report("ingest-find-max", result, [("max riders held", str(result["max_riders_held"]))])
        return
    result = run_once(
        riders,
        duration,
        args.workers,
        args.generators,
        not args.skip_baselines,
        args.send_interval,
    )
    report("ingest", {"tier": args.tier, **result}, _table(result))


if __name__ == "__main__":
    main()
