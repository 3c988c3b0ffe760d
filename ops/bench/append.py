"""Event store append throughput: the recorder's insert (plain arrays, three round trips)
against the library's (a composite-type array, in pipeline mode; same lock, NOTIFY and
transaction), and a whole `save()` of many sessions (event creation and mapping included).
Median of alternating repeats.

    .venv/bin/python ops/bench/append.py [--sessions 200] [--per-session 10] [--repeats 6]
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from benchlib import report, scratch_settings
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder

from adapters.eventstore import WattlogStore
from adapters.eventstore.recorder import WattlogRecorder
from domain.sessions import WorkoutSession

TOPIC = "domain.sessions:WorkoutSession.SampleRecorded"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--per-session", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=6)
    args = parser.parse_args()
    per_batch = args.sessions * args.per_session
    with scratch_settings() as settings:
        store = WattlogStore(settings)
        sessions = [
            WorkoutSession.start(uuid.uuid4(), uuid.uuid4(), f"bench-{i}", 250)
            for i in range(args.sessions)
        ]
        store.save(*sessions)
        state = store.mapper.transcoder.encode(
            {"seq": 1, "values": {"power_w": 200}, "raw": b"\x00"}
        )
        raw_ids = [uuid.uuid4() for _ in range(args.sessions)]  # apart from the sessions
        version = [0]

        def recorder_batch() -> None:
            version[0] += args.per_session
            store.recorder.insert_events(
                [
                    StoredEvent(originator_id, version[0] + k, TOPIC, state)
                    for originator_id in raw_ids
                    for k in range(args.per_session)
                ]
            )

        seq = [0]

        def save_batch() -> None:
            for session in sessions:
                for k in range(args.per_session):
                    session.record_sample(
                        session.client_id, seq[0] + k, 1.7e9, "t", "2ad2", b"\x00", {"power_w": 200}
                    )
            seq[0] += args.per_session
            store.save(*sessions)

        variants: dict[str, tuple[Callable[..., Any], Callable[[], None]]] = {
            "recorder, plain arrays": (WattlogRecorder.insert_events, recorder_batch),
            "recorder, library's (pipeline, composites)": (
                PostgresApplicationRecorder.insert_events,
                recorder_batch,
            ),
            "save() of sessions": (WattlogRecorder.insert_events, save_batch),
        }
        rates: dict[str, list[float]] = {name: [] for name in variants}
        ours = WattlogRecorder.insert_events
        for _ in range(args.repeats):
            for name, (insert, batch) in variants.items():
                WattlogRecorder.insert_events = insert  # type: ignore[method-assign]
                started = time.perf_counter()
                batch()
                rates[name].append(per_batch / (time.perf_counter() - started))
        WattlogRecorder.insert_events = ours  # type: ignore[method-assign]
        store.close()
    figures = {name: round(statistics.median(values)) for name, values in rates.items()}
    table = [("variant", "events/s")] + [(name, str(rate)) for name, rate in figures.items()]
    report("append", {"sessions": args.sessions, "per_session": args.per_session, **figures}, table)


if __name__ == "__main__":
    main()
