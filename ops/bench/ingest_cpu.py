"""CPU per notification of the ingest worker: process CPU time (user + system, not wall
time, so a busy shared machine changes it little) divided by the notifications stored.

    .venv/bin/python ops/bench/ingest_cpu.py [--riders 200] [--duration 30]
        [--send-interval 0.5] [--py-spy profile.txt]
    .venv/bin/python ops/bench/ingest_cpu.py --write-path-only [--write-batch 20] [--repeat 3]

Two measures of the same path, with the reference rider (ops/bench/loadgen.py: 4
notifications/s, real payloads, sent every `--send-interval` seconds):
- worker: a real `wattlog ingest` process fed over AMQP by a load-generator process at the
  riders' pace; its CPU from the first publish until the last notification is stored, less
  what it spends idle over the same time (measured before the load starts);
- write path: envelope parsing and `SessionWriter.write` in this process against the same
  PostgreSQL (no broker), in batches as the worker takes them; its own process CPU time.
Raw COPY and raw AMQP publish+consume are measured in the same run, for comparison.
`--write-path-only` measures the write path alone, `--repeat` times in one process (the
median is reported), with `--write-batch` envelopes per batch (default 200; at a few
hundred riders the worker's 50 ms batches hold a few dozen).
`--py-spy FILE` records the worker with py-spy (`pip install py-spy`) while it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
from baselines import raw_copy_rows_per_s, raw_publish_consume_per_s
from benchlib import report, scratch_settings
from ingest import _start, _start_sessions
from loadgen import (
    RATE_HZ,
    LoadPlan,
    _timeline,
    run_generator,
    warm_up,
    warm_up_envelope,
)
from measure import ProcessUsage, audit_store, wait_until_stored

from adapters.amqp.topology_command import declare
from adapters.eventstore import WattlogStore
from adapters.ingest.routes import RouteTable
from adapters.ingest.writer import SessionWriter
from adapters.postgres.pools import checked_pool
from adapters.settings import Settings
from wire.envelope import Envelope, Sample, encode_envelope, parse_envelope

DRAIN_TIMEOUT_S = 120.0
IDLE_S = 3.0
BATCH_MESSAGES = 200  # envelopes per write-path batch (--write-batch)


def _py_spy() -> str:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy") or "py-spy"


def worker_cpu(
    settings: Settings, riders: int, duration: float, send_interval: float, py_spy: str | None
) -> dict[str, float]:
    client_ids = _start_sessions(settings, riders)
    worker = _start(settings, "ingest")
    # One connection for the whole run: the shared machine's PostgreSQL may be out of slots
    # later on.
    counter = psycopg.connect(settings.database_url, autocommit=True)
    try:
        time.sleep(3.0)  # subscribed to its shards
        # Every session routed and loaded once: what is measured is the steady state.
        asyncio.run(warm_up(settings.amqp_url, client_ids))
        wait_until_stored(counter, len(client_ids), DRAIN_TIMEOUT_S)
        usage = ProcessUsage(worker.pid)
        usage.start()
        time.sleep(IDLE_S)
        idle_per_s = usage.cpu_since_start() / IDLE_S
        profiler = None
        if py_spy:
            command = [_py_spy(), "record", "--pid", str(worker.pid), "--nonblocking"]
            command += ["--format", "raw", "--output", py_spy]
            profiler = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        usage.start()
        started = time.monotonic()
        plan = LoadPlan(
            settings.amqp_url, tuple(client_ids), duration, time.time() + 1.0, send_interval
        )
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            published = pool.apply(run_generator, (plan,))
        per_rider = published // riders
        wait_until_stored(counter, published + riders, DRAIN_TIMEOUT_S)
        elapsed = time.monotonic() - started
        cpu = usage.cpu_since_start()
        audit = audit_store(settings.database_url, dict.fromkeys(client_ids, per_rider))
        if profiler is not None:
            profiler.send_signal(2)  # SIGINT: py-spy writes what it has
            profiler.wait(30)
    finally:
        counter.close()
        worker.terminate()
        worker.wait(30)
    busy = max(0.0, cpu - idle_per_s * elapsed)
    stored = audit.stored
    return {
        "published": published,
        "stored": stored,
        "lost": audit.lost,
        "duplicated": audit.duplicated,
        "cpu_s": round(cpu, 2),
        "idle_cpu_per_s": round(idle_per_s, 4),
        "us_per_notification": round(busy / max(stored, 1) * 1e6, 1),
        "us_per_notification_gross": round(cpu / max(stored, 1) * 1e6, 1),
    }


def _bodies(client_ids: list[str], duration: float, send_interval: float) -> list[bytes]:
    """The envelopes the riders send over the run, in the order they send them."""
    timeline = _timeline(duration)
    tick_s = send_interval or 1.0 / RATE_HZ
    base = time.time()
    bodies: list[bytes] = []
    seq, tick = 0, 0
    while seq < len(timeline):
        tick += 1
        end = seq
        while end < len(timeline) and timeline[end][0] < tick * tick_s:
            end += 1
        samples = tuple(
            Sample(n, base + at, t.sensor_id, t.characteristic, t.raw, t.values)
            for n, (at, t) in enumerate(timeline[seq:end], start=seq)
        )
        seq = end
        if samples:
            bodies += [
                encode_envelope(Envelope(c, base, uuid.uuid4().hex, samples=samples))
                for c in client_ids
            ]
    return bodies


def write_path_cpu(
    settings: Settings,
    riders: int,
    duration: float,
    send_interval: float,
    batch_messages: int = BATCH_MESSAGES,
) -> dict[str, float]:
    client_ids = _start_sessions(settings, riders)
    bodies = _bodies(client_ids, duration, send_interval)
    store = WattlogStore(settings)
    pool = checked_pool(settings.database_url, "routes", min_size=1, max_size=2, open=True)
    try:
        writer = SessionWriter(store, RouteTable(pool))
        # Every session routed and loaded once, as in the worker's steady state.
        writer.write([warm_up_envelope(c) for c in client_ids])
        stored = 0
        started = time.process_time()
        for start in range(0, len(bodies), batch_messages):
            batch = [
                parse_envelope(body, expected_client_id=None)
                for body in bodies[start : start + batch_messages]
            ]
            stored += writer.write(batch).stored
        cpu = time.process_time() - started
    finally:
        pool.close()
        store.close()
    return {
        "stored": stored,
        "cpu_s": round(cpu, 2),
        "us_per_notification": round(cpu / max(stored, 1) * 1e6, 1),
        "notifications_per_envelope": round(stored / max(len(bodies), 1), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--riders", type=int, default=200)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of riding")
    parser.add_argument("--send-interval", type=float, default=0.5)
    parser.add_argument("--py-spy", metavar="FILE", help="record the worker with py-spy")
    parser.add_argument("--write-path-only", action="store_true", help="no worker, no baselines")
    parser.add_argument("--write-batch", type=int, default=BATCH_MESSAGES, help="envelopes")
    parser.add_argument("--repeat", type=int, default=1, help="write-path runs (median)")
    args = parser.parse_args()
    if args.write_path_only:
        _write_path_only(args)
        return
    with scratch_settings(ingest_shards=4) as settings:
        asyncio.run(declare(settings))
        worker = worker_cpu(settings, args.riders, args.duration, args.send_interval, args.py_spy)
        path = write_path_cpu(
            settings, args.riders, args.duration, args.send_interval, args.write_batch
        )
        copy_per_s = raw_copy_rows_per_s(settings, 200_000)
        publish_per_s = raw_publish_consume_per_s(settings, 20_000)
    figures = {
        "riders": args.riders,
        "duration_s": args.duration,
        "send_interval_s": args.send_interval,
        "worker": worker,
        "write_path": path,
        "baselines": {
            "raw_copy_rows_per_s": round(copy_per_s),
            "raw_copy_us_per_row": round(1e6 / copy_per_s, 1),
            "raw_publish_consume_per_s": round(publish_per_s),
            "raw_publish_consume_us_per_message": round(1e6 / publish_per_s, 1),
        },
    }
    report(
        "ingest-cpu",
        figures,
        [
            ("measure", "us CPU per notification"),
            ("ingest worker (AMQP, idle removed)", str(worker["us_per_notification"])),
            ("ingest worker (gross)", str(worker["us_per_notification_gross"])),
            ("write path in-process", str(path["us_per_notification"])),
            ("lost / duplicated", f"{worker['lost']} / {worker['duplicated']}"),
            ("raw COPY, wall us per row", str(figures["baselines"]["raw_copy_us_per_row"])),
            (
                "raw AMQP publish+consume, wall us per message",
                str(figures["baselines"]["raw_publish_consume_us_per_message"]),
            ),
        ],
    )


def _write_path_only(args: argparse.Namespace) -> None:
    with scratch_settings(ingest_shards=4) as settings:
        runs = [
            write_path_cpu(
                settings, args.riders, args.duration, args.send_interval, args.write_batch
            )["us_per_notification"]
            for _ in range(max(1, args.repeat))
        ]
    figures = {
        "riders": args.riders,
        "duration_s": args.duration,
        "send_interval_s": args.send_interval,
        "write_batch": args.write_batch,
        "write_path_us_per_notification": runs,
        "median": statistics.median(runs),
    }
    report(
        "ingest-cpu-write-path",
        figures,
        [
            ("measure", "us CPU per notification"),
            (f"write path, {args.write_batch} envelopes a batch, runs", str(runs)),
            ("median", str(figures["median"])),
        ],
    )


if __name__ == "__main__":
    main()
