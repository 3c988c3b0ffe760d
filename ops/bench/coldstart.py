"""The ingest worker's cold start, without the whole benchmark: `SessionWriter.write` on one
batch from N riders the worker has never seen (one envelope each, their sessions started in
the store), as after a restart or a shard's failover (`cold_start_s` of ops/bench/ingest.py).

    .venv/bin/python ops/bench/coldstart.py [--riders 1200 2000] [--rounds 3]
        [--history-s 0] [--snapshot-interval 500] [--before DIR]

Each measurement starts N + 1 fresh sessions, then, in a new process, a writer writes the
first rider's envelope (its pools open, its code warm: a running worker) and is timed on
the batch of the N others: wall time, and that process's CPU time. `--history-s S` has the
riders ride S seconds first (the reference rider, ops/bench/loadgen.py, through a writer
of this checkout), so their sessions are loaded mid-ride, from a snapshot and the events
after it. `--before DIR` times the code of another checkout too (main's, say:
`git worktree add --detach /tmp/main main`), alternating with this one's in every round,
on the same database; the report gives the median of the rounds.
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

THIS_CHECKOUT = Path(__file__).resolve().parents[2]
HISTORY_BATCH = 200  # envelopes per batch while the riders ride their history


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--riders", type=int, nargs="+", default=[1200, 2000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--history-s", type=float, default=0.0, help="seconds ridden before")
    parser.add_argument("--snapshot-interval", type=int, default=500)
    parser.add_argument("--before", type=Path, help="another checkout to time as well")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
    else:
        _parent(args)


def _parent(args: argparse.Namespace) -> None:
    # Imported here: a child imports the code it times, from its own checkout.
    from benchlib import report, scratch_settings

    codes = {"this": THIS_CHECKOUT}
    if args.before:
        codes["before"] = args.before.resolve()
    runs: dict[int, dict[str, list[dict[str, float]]]] = {}
    with scratch_settings(snapshot_interval=args.snapshot_interval) as settings:
        for riders in args.riders:
            runs[riders] = {name: [] for name in codes}
            for round_ in range(args.rounds):
                order = list(codes.items())
                for name, code in order if round_ % 2 == 0 else reversed(order):
                    clients = _riders(settings, riders + 1, args.history_s)
                    runs[riders][name].append(_time_in_child(code, settings, clients))
    medians = {
        riders: {name: _medians(measured) for name, measured in by_code.items()}
        for riders, by_code in runs.items()
    }
    report(
        "ingest-cold-start",
        {
            "history_s": args.history_s,
            "snapshot_interval": args.snapshot_interval,
            "codes": {name: str(code) for name, code in codes.items()},
            "runs": runs,
            "medians": medians,
        },
        [
            ("riders", "code", "write s (median)", "writer CPU s", "runs, wall s"),
            *(
                (
                    str(riders),
                    name,
                    str(median["wall_s"]),
                    str(median["cpu_s"]),
                    str([run["wall_s"] for run in runs[riders][name]]),
                )
                for riders, by_code in medians.items()
                for name, median in by_code.items()
            ),
        ],
    )


def _riders(settings: Any, count: int, history_s: float) -> list[str]:
    """Riders with running sessions (and ``history_s`` seconds ridden), by client id."""
    from ingest import _start_sessions
    from ingest_cpu import _bodies
    from psycopg_pool import ConnectionPool

    from adapters.eventstore import WattlogStore
    from adapters.ingest.routes import RouteTable
    from adapters.ingest.writer import SessionWriter
    from wire.envelope import parse_envelope

    client_ids = _start_sessions(settings, count)
    if history_s:
        bodies = _bodies(client_ids, history_s, send_interval=0.5)
        store = WattlogStore(settings)
        with ConnectionPool(settings.database_url, min_size=1, max_size=1) as pool:
            writer = SessionWriter(store, RouteTable(pool))
            for start in range(0, len(bodies), HISTORY_BATCH):
                chunk = bodies[start : start + HISTORY_BATCH]
                writer.write([parse_envelope(body, expected_client_id=None) for body in chunk])
        store.close()
    return client_ids


def _time_in_child(code: Path, settings: Any, client_ids: list[str]) -> dict[str, float]:
    from loadgen import warm_up_envelope

    from wire.envelope import encode_envelope

    bodies = [base64.b64encode(encode_envelope(warm_up_envelope(c))).decode() for c in client_ids]
    job = {
        "database_url": settings.database_url,
        "snapshot_interval": settings.snapshot_interval,
        "bodies": bodies,
    }
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(code)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"the timed writer ({code}) failed:\n{done.stderr}")
    timed = json.loads(done.stdout)
    if Path(timed.pop("code")) != code:
        raise RuntimeError(f"the writer timed was not {code}'s")
    return {key: float(value) for key, value in timed.items()}


def _child(code: Path) -> None:
    """Writes the first envelope, then times the batch of all the others."""
    sys.path.insert(0, str(code))
    import adapters
    from adapters.eventstore import WattlogStore
    from adapters.ingest.routes import RouteTable
    from adapters.ingest.writer import SessionWriter
    from adapters.postgres.pools import checked_pool
    from adapters.settings import Settings
    from wire.envelope import parse_envelope

    job = json.loads(sys.stdin.read())
    settings = Settings(
        env="test", database_url=job["database_url"], snapshot_interval=job["snapshot_interval"]
    )
    first, *batch = (
        parse_envelope(base64.b64decode(body), expected_client_id=None) for body in job["bodies"]
    )
    store = WattlogStore(settings)
    # As `wattlog ingest` makes it (adapters/ingest/main.py).
    pool = checked_pool(settings.database_url, "routes", min_size=1, max_size=2, open=True)
    try:
        writer = SessionWriter(store, RouteTable(pool))
        writer.write([first])
        started, cpu_started = time.perf_counter(), time.process_time()
        result = writer.write(batch)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        pool.close()
        store.close()
    if result.stored != len(batch):
        raise RuntimeError(f"{result.stored} of {len(batch)} samples stored")
    timed = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3)}
    print(json.dumps({**timed, "code": str(Path(adapters.__file__).parents[1])}))


def _medians(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.median(run[key] for run in runs), 3) for key in runs[0]}


if __name__ == "__main__":
    main()
