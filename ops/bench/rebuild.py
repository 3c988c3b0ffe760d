"""How long a 20,000-event session takes to load, with and without snapshots, and what
snapshotting costs the writer. Chooses WATTLOG_SNAPSHOT_INTERVAL.

    .venv/bin/python ops/bench/rebuild.py [--events 20000] [--intervals 0,250,500,1000,2000]

An interval of 0 means no snapshots. "best" loads right after a snapshot, "worst" with
interval - 1 events after the last one. The baseline is the raw SELECT of the same rows.
"""

from __future__ import annotations

import argparse
import time
import uuid

from benchlib import median_ms, report, scratch_settings, timed

from adapters.eventstore import WattlogStore
from domain.sessions import WorkoutSession

PER_SAVE = 20  # samples a worker appends to one session per batch at ~4/s and 50 ms batching
RAW = bytes.fromhex("4402da020201220100")


def append_samples(store: WattlogStore, session: WorkoutSession, first: int, count: int) -> float:
    started = time.perf_counter()
    for start in range(first, first + count, PER_SAVE):
        for seq in range(start, min(start + PER_SAVE, first + count)):
            session.record_sample(
                "bench",
                seq,
                1.7e9 + seq / 4,
                "trainer",
                "2ad2",
                RAW,
                {"power_w": 200 + seq % 40, "cadence_rpm": 90.0},
            )
        store.save(session)
    return count / (time.perf_counter() - started)


def measure(settings_interval: int, events: int) -> dict[str, float]:
    interval = settings_interval or 10**9
    with scratch_settings(snapshot_interval=interval) as settings:
        store = WattlogStore(settings)
        session = WorkoutSession.start(uuid.uuid4(), uuid.uuid4(), "bench", 250)
        store.save(session)
        rate = append_samples(store, session, 0, events)
        best = timed(lambda: store.repository.get(session.id), 15)
        tail = (interval - 1 - session.version % interval) if settings_interval else 0
        append_samples(store, session, events, tail)
        worst = timed(lambda: store.repository.get(session.id), 15)
        raw = timed(lambda: list(store.events.recorder.select_events(session.id)), 5)
        store.close()
    return {
        "interval": settings_interval,
        "write_events_per_s": round(rate),
        "load_best_ms": median_ms(best),
        "load_worst_ms": median_ms(worst),
        "raw_select_all_ms": median_ms(raw),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--intervals", default="0,250,500,1000,2000")
    args = parser.parse_args()
    rows = [measure(int(i), args.events) for i in args.intervals.split(",")]
    table = [("interval", "write ev/s", "load best ms", "load worst ms", "raw select ms")]
    table += [
        (
            str(r["interval"] or "none"),
            str(r["write_events_per_s"]),
            str(r["load_best_ms"]),
            str(r["load_worst_ms"]),
            str(r["raw_select_all_ms"]),
        )
        for r in rows
    ]
    report("rebuild", {"events": args.events, "results": rows}, table)


if __name__ == "__main__":
    main()
