"""Builders shared by the projection tests: rides written straight to the store, the
series the domain expects of them, and read-model snapshots."""

from __future__ import annotations

import math
from typing import Any
from uuid import UUID, uuid4

import psycopg

from adapters.eventstore import WattlogStore
from adapters.settings import Settings
from domain.metrics.resample import Series, resample_to_1hz
from domain.sessions import WorkoutSession
from projections.registry import PROJECTION_NAMES, build_projection
from projections.runner import ProjectionRunner

READ_MODELS: dict[str, str] = {
    "samples": "SELECT * FROM samples ORDER BY session_id, ts",
    "minute_rollups": "SELECT * FROM minute_rollups ORDER BY session_id, bucket",
    "daily_rollups": "SELECT * FROM daily_rollups ORDER BY athlete_id, day",
    "samples_sessions": "SELECT * FROM samples_sessions ORDER BY session_id",
    "sample_bins": "SELECT * FROM sample_bins ORDER BY session_id, second",
    "session_summaries": "SELECT * FROM session_summaries ORDER BY session_id",
    "athlete_fitness": "SELECT * FROM athlete_fitness ORDER BY athlete_id, day",
}

Reading = tuple[float, dict[str, Any]]


def ride_readings(t0: float, seconds: int, *, seed: int = 0) -> list[tuple[str, Reading]]:
    """A trainer at 4 Hz (power, cadence) and a strap at 1 Hz (HR, RR), with a 4 s hole in
    the trainer's data and a 60 s pause of everything in the middle."""
    readings: list[tuple[str, Reading]] = []
    pause = range(seconds // 2, seconds // 2 + 60)
    for quarter in range(seconds * 4):
        second = quarter // 4
        if second in pause:
            continue
        t = t0 + quarter * 0.25
        if not 100 <= second < 104:
            power = 180 + (quarter * 7 + seed * 13) % 90
            readings.append(("trainer", (t, {"power_w": power, "cadence_rpm": 85.0 + quarter % 9})))
        if quarter % 4 == 1:
            hr = 120 + (second + seed) % 30
            readings.append(("strap", (t + 0.05, {"heart_rate_bpm": hr, "rr_1024": [820, 830]})))
    return readings


def write_ride(
    store: WattlogStore,
    readings: list[tuple[str, Reading]],
    *,
    athlete_id: UUID | None = None,
    chunk: int = 500,
    finish: bool = True,
) -> UUID:
    session = WorkoutSession.start(
        athlete_id=athlete_id or uuid4(),
        owner_id=uuid4(),
        client_id=f"test-{uuid4().hex[:8]}",
        ftp_w=250,
        session_id=uuid4(),
    )
    for seq, (sensor, (t, values)) in enumerate(readings):
        session.record_sample(session.client_id, seq, t, sensor, "test", b"", values)
        if seq % chunk == chunk - 1:
            store.save(session)
    if finish:
        session.finish()
    store.save(session)
    return session.id


def expected_series(readings: list[tuple[str, Reading]]) -> tuple[int, Series]:
    """What the whole ride resamples to, computed in one go by the domain function."""
    start = math.floor(min(t for _, (t, _) in readings))
    points = [
        (t, {k: float(v) for k, v in values.items() if not isinstance(v, list)})
        for _, (t, values) in readings
    ]
    return start, resample_to_1hz(points, float(start))


def catch_up(store: WattlogStore, settings: Settings, batch_size: int = 2000) -> None:
    for name in PROJECTION_NAMES:
        runner = ProjectionRunner(
            store, build_projection(name), settings.database_url, batch_size=batch_size
        )
        try:
            runner.catch_up()
        finally:
            runner.close()


def snapshot(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(settings.database_url) as conn:
        return {name: conn.execute(query).fetchall() for name, query in READ_MODELS.items()}


def snapshot_of(settings: Settings, *session_ids: UUID) -> dict[str, list[tuple[Any, ...]]]:
    """The read models' rows of these sessions and of their athletes. (A rebuild with another
    batch size may add a second's readings in another order, changing the last bit of a
    float, on other tests' long rides in the same database.)"""
    of_sessions = "session_id = ANY(%(s)s)"
    of_athletes = f"athlete_id IN (SELECT athlete_id FROM session_summaries WHERE {of_sessions})"
    per_athlete = ("daily_rollups", "athlete_fitness")
    with psycopg.connect(settings.database_url) as conn:
        return {
            name: conn.execute(
                query.replace(
                    " ORDER BY",
                    f" WHERE {of_athletes if name in per_athlete else of_sessions} ORDER BY",
                ),
                {"s": list(session_ids)},
            ).fetchall()
            for name, query in READ_MODELS.items()
        }


def assert_rows_match(stored: dict[int, tuple[Any, ...]], readings: list[Any]) -> None:
    """The stored rows (power, cadence and heart rate first) are the whole ride's 1 Hz
    resampling, whatever batches and order the readings were projected in."""
    start, series = expected_series(readings)
    expected = {start + k for k, recorded in enumerate(series.recorded) if recorded}
    assert set(stored) == expected
    for name, column in (("power_w", 0), ("cadence_rpm", 1), ("heart_rate_bpm", 2)):
        for k, value in enumerate(series.channel(name)):
            if series.recorded[k]:
                got = stored[start + k][column]
                assert (got is None) == (value is None), (name, k)
                if value is not None:
                    assert math.isclose(got, value, rel_tol=1e-5), (name, k, got, value)
