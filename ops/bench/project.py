"""Projector catch-up: how fast the read models are built from a log of a million events
(rides of 200 sessions at 4 notifications/s, then finished), next to a raw COPY of as many
rows into PostgreSQL in the same run.

    .venv/bin/python ops/bench/project.py [--events 1000000] [--sessions 200]
"""

from __future__ import annotations

import argparse
import time
import uuid

from baselines import raw_copy_rows_per_s
from benchlib import report, scratch_settings

from adapters.eventstore import WattlogStore
from domain.sessions import WorkoutSession
from projections.registry import PROJECTION_NAMES, build_projection
from projections.runner import ProjectionRunner

RAW_TRAINER = bytes.fromhex("4402da020201220100")
PER_SAVE = 10


def write_log(store: WattlogStore, sessions: int, events: int) -> float:
    """Appends the rides as the ingest worker would (many sessions per transaction)."""
    started = time.perf_counter()
    rides = [
        WorkoutSession.start(uuid.uuid4(), uuid.uuid4(), f"bench-{i}", 250) for i in range(sessions)
    ]
    store.save(*rides)
    t0 = 1.7e9
    per_session = events // sessions
    for first in range(0, per_session, PER_SAVE):
        for ride in rides:
            for seq in range(first, min(first + PER_SAVE, per_session)):
                ride.record_sample(
                    ride.client_id,
                    seq,
                    t0 + seq / 4,
                    "trainer",
                    "2ad2",
                    RAW_TRAINER,
                    {"power_w": 150 + seq % 150, "cadence_rpm": 90.0, "heart_rate_bpm": 140},
                )
        store.save(*rides)
    for ride in rides:
        ride.finish()
    store.save(*rides)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=200)
    args = parser.parse_args()
    figures: dict[str, object] = {"events": args.events, "sessions": args.sessions}
    with scratch_settings() as settings:
        store = WattlogStore(settings)
        figures["log_written_s"] = round(write_log(store, args.sessions, args.events), 1)
        total = store.recorder.max_notification_id() or 0
        table = [("projector", "events/s", "seconds")]
        for name in PROJECTION_NAMES:
            runner = ProjectionRunner(store, build_projection(name), settings.database_url)
            started = time.perf_counter()
            runner.catch_up()
            elapsed = time.perf_counter() - started
            runner.close()
            figures[f"{name}_events_per_s"] = round(total / elapsed)
            table.append((name, str(round(total / elapsed)), str(round(elapsed, 1))))
        figures["baseline_copy_rows_per_s"] = round(raw_copy_rows_per_s(settings, args.events))
        table.append(("baseline: COPY rows", str(figures["baseline_copy_rows_per_s"]), ""))
        store.close()
    report("project", figures, table)


if __name__ == "__main__":
    main()
