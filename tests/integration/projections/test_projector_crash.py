"""SIGKILL a projector process in the middle of catching up, restart it: no row is missing
and none is doubled (the read models equal a rebuild made in one clean pass)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
from processes import wattlog_env
from projection_helpers import expected_series, ride_readings, snapshot, write_ride

from adapters.eventstore import WattlogStore
from adapters.settings import Settings
from projections.rebuild import rebuild

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def _start(settings: Settings) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "project", "--batch-size", "150"],
        cwd=PROJECT_ROOT,
        env=wattlog_env(settings, os.environ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _position(db: psycopg.Connection[Any], name: str) -> int:
    row = db.execute(
        "SELECT notification_id FROM projection_tracking WHERE application_name = %s", (name,)
    ).fetchone()
    return int(row[0]) if row else 0


def _wait(condition: Any, within_s: float = 120.0) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within_s}s")
        time.sleep(0.02)


def test_projector_killed_mid_batch_leaves_no_duplicate_and_no_missing_row(
    store: WattlogStore, settings: Settings
) -> None:
    rides = [ride_readings(1_680_000_000.0 + i * 7_200, 1_500, seed=i) for i in range(3)]
    session_ids = [write_ride(store, readings, chunk=400) for readings in rides]
    head = store.recorder.max_notification_id() or 0
    with psycopg.connect(settings.database_url, autocommit=True) as db:
        start = _position(db, "samples")
        process = _start(settings)
        try:
            # Kill it a third of the way through, while it is writing batch after batch.
            _wait(lambda: _position(db, "samples") > start + (head - start) // 3)
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            killed_at = _position(db, "samples")
            assert killed_at < head
            process = _start(settings)
            _wait(lambda: _position(db, "samples") >= head and _position(db, "summaries") >= head)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(20)
        for session_id, readings in zip(session_ids, rides, strict=True):
            _, series = expected_series(readings)
            count = db.execute("SELECT count(*) FROM samples WHERE session_id = %s", (session_id,))
            assert count.fetchone() == (sum(series.recorded),)
            minutes = db.execute(
                "SELECT sum(seconds) FROM minute_rollups WHERE session_id = %s", (session_id,)
            )
            assert minutes.fetchone() == (sum(series.recorded),)
            status = db.execute(
                "SELECT status FROM session_summaries WHERE session_id = %s", (session_id,)
            )
            assert status.fetchone() == ("finished",)
    after_crash = snapshot(settings)
    rebuild(settings, "samples")
    rebuild(settings, "summaries")
    assert snapshot(settings) == after_crash
