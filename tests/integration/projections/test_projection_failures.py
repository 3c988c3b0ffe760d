"""An event a projector cannot project is set aside with its reason; every other tenant's
rides keep projecting, operators see it (metric, `project --failures`) and can retry it."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from processes import run_wattlog
from projection_helpers import (
    assert_rows_match,
    ride_readings,
    snapshot,
    snapshot_of,
    write_ride,
)

from adapters.analytics.lag import projection_failures
from adapters.eventstore import WattlogStore
from adapters.settings import Settings
from domain.sessions import WorkoutSession
from projections import failures
from projections.rebuild import rebuild

YEAR_33658 = 1e12  # the device time of the issue: no partition, no datetime can hold it


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return run_wattlog(settings, "project", *args)


def _ride_with_hostile_sample(store: WattlogStore, t0: float) -> tuple[UUID, list[Any]]:
    """A finished ride whose log holds, mid-ride, a sample stored before ingest bounded
    device times (written through the aggregate's event, as an old release stored it)."""
    readings = ride_readings(t0, 240)
    session = WorkoutSession.start(
        athlete_id=uuid4(),
        owner_id=uuid4(),
        client_id=f"hostile-{uuid4().hex[:6]}",
        ftp_w=250,
        session_id=uuid4(),
    )
    half = len(readings) // 2
    for seq, (sensor, (t, values)) in enumerate(readings[:half]):
        session.record_sample(session.client_id, seq, t, sensor, "test", b"", values)
    session._record_sample(
        client_id=session.client_id,
        seq=half,
        device_time=YEAR_33658,
        sensor_id="trainer",
        characteristic="test",
        raw=b"",
        values={"power_w": 200},
        imported=False,
    )
    store.save(session)
    for seq, (sensor, (t, values)) in enumerate(readings[half:], start=half + 1):
        session.record_sample(session.client_id, seq, t, sensor, "test", b"", values)
    session.finish()
    store.save(session)
    return session.id, readings


def _rows(db: psycopg.Connection[Any], session_id: UUID) -> dict[int, tuple[Any, ...]]:
    rows = db.execute(
        "SELECT extract(epoch FROM ts)::bigint, power_w, cadence_rpm, heart_rate_bpm,"
        " temperature_c, rr_ms, power_30s_w FROM samples WHERE session_id = %s ORDER BY ts",
        (session_id,),
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def _summary(db: psycopg.Connection[Any], session_id: UUID) -> tuple[Any, ...] | None:
    return db.execute(
        "SELECT status, normalized_power_w, duration_s FROM session_summaries"
        " WHERE session_id = %s",
        (session_id,),
    ).fetchone()


def _set_aside(db: psycopg.Connection[Any], session_id: UUID) -> list[failures.StoredFailure]:
    return [f for f in failures.listed(db) if f.originator_id == session_id]


def _position(db: psycopg.Connection[Any], name: str) -> int:
    row = db.execute(
        "SELECT notification_id FROM projection_tracking WHERE application_name = %s", (name,)
    ).fetchone()
    return int(row[0]) if row else 0


def _head(db: psycopg.Connection[Any]) -> int:
    row = db.execute("SELECT max(notification_id) FROM wattlog_events").fetchone()
    return int(row[0]) if row else 0


def test_an_event_no_projection_can_hold_is_set_aside_and_every_tenant_keeps_projecting(
    store: WattlogStore,
    settings: Settings,
    db: psycopg.Connection[Any],
    project: Callable[..., None],
) -> None:
    hostile_id, hostile_readings = _ride_with_hostile_sample(store, 1_700_300_000.0)
    other_readings = ride_readings(1_700_300_500.0, 300, seed=5)
    other_id = write_ride(store, other_readings)

    project(batch_size=50_000)

    # The other tenant's ride, and the hostile session's own good samples, are projected.
    assert_rows_match(_rows(db, other_id), other_readings)
    assert_rows_match(_rows(db, hostile_id), hostile_readings)
    for session_id in (other_id, hostile_id):
        summary = _summary(db, session_id)
        assert summary is not None and summary[0] == "finished" and summary[1] > 0
    assert _position(db, "samples") == _position(db, "summaries") == _head(db)

    # The one event is set aside, with a reason an operator can act on.
    [aside] = _set_aside(db, hostile_id)
    assert aside.projection == "samples"
    assert aside.topic.endswith("SampleRecorded")
    assert "device time 1000000000000.0 s is outside" in aside.error
    assert aside.attempts == 1 and aside.retried_at is None
    assert projection_failures(store)["samples"] >= 1

    listed = _cli(settings, "--failures")
    assert listed.returncode == 0, listed.stderr
    assert f"samples\t{aside.notification_id}\t{hostile_id}\t" in listed.stdout

    # A retry cannot project it either: it stays, with its reason, and nothing is duplicated.
    before = snapshot(settings)
    retried = _cli(settings, "--retry-failed", "samples")
    assert retried.returncode == 1
    assert f"samples event {aside.notification_id} (session {hostile_id}) still fails" in (
        retried.stderr
    )
    [kept] = _set_aside(db, hostile_id)
    assert kept.notification_id == aside.notification_id
    assert kept.attempts == 2 and kept.retried_at is not None
    assert "device time" in kept.error
    assert snapshot(settings) == before


@pytest.fixture
def refuse_temperature(db: psycopg.Connection[Any]) -> Iterator[float]:
    """Until the fixture ends, PostgreSQL refuses any samples row with this temperature: a
    failure that is the event's today and is gone tomorrow (a constraint later relaxed)."""
    marker = -77.0
    db.execute(
        "CREATE FUNCTION refuse_marked_temperature() RETURNS trigger LANGUAGE plpgsql AS $$"
        f" BEGIN IF NEW.temperature_c = {marker} THEN"
        " RAISE EXCEPTION 'temperature % refused by a test constraint', NEW.temperature_c;"
        " END IF; RETURN NEW; END $$"
    )
    db.execute(
        "CREATE TRIGGER refuse_marked_temperature BEFORE INSERT OR UPDATE ON samples"
        " FOR EACH ROW EXECUTE FUNCTION refuse_marked_temperature()"
    )
    try:
        yield marker
    finally:
        db.execute("DROP TRIGGER IF EXISTS refuse_marked_temperature ON samples")
        db.execute("DROP FUNCTION IF EXISTS refuse_marked_temperature()")


def test_a_set_aside_event_whose_failure_is_gone_is_projected_exactly_once_by_a_retry(
    store: WattlogStore,
    settings: Settings,
    db: psycopg.Connection[Any],
    project: Callable[..., None],
    refuse_temperature: float,
) -> None:
    t0 = 1_700_400_000.0
    readings = ride_readings(t0, 200, seed=7)
    # One reading at 50.6 s also carries a temperature and an RR interval of exactly 1 s:
    # applied twice, the second's power average and its RR list would show it.
    marked = ("trainer", (t0 + 50.6, {"power_w": 400, "temperature_c": refuse_temperature}))
    readings.append(marked)
    readings.sort(key=lambda r: r[1][0])
    session_id = write_ride(store, readings, finish=False)

    project(batch_size=50_000)

    [aside] = _set_aside(db, session_id)
    assert "temperature -77 refused by a test constraint" in aside.error
    stored = _rows(db, session_id)
    assert stored[int(t0) + 50][3] is None  # the marked reading is not in its second

    db.execute("DROP TRIGGER refuse_marked_temperature ON samples")  # the cause is gone
    retried = _cli(settings, "--retry-failed")
    assert f"event {aside.notification_id} " not in retried.stderr

    assert _set_aside(db, session_id) == []
    # Other tests' events of this run may still fail: the exit code says whether any does.
    assert retried.returncode == (1 if failures.listed(db) else 0), retried.stderr
    stored = _rows(db, session_id)
    assert_rows_match(stored, readings)
    assert stored[int(t0) + 50][3] == refuse_temperature
    assert projection_failures(store)["samples"] == len(failures.listed(db, "samples"))

    # A second retry has nothing of it left to do, and the ride goes on to its summary.
    again = _cli(settings, "--retry-failed", "samples")
    assert "samples: 0 projected" in again.stderr
    session = store.repository.get(session_id)
    session.finish()
    store.save(session)
    project()
    assert_rows_match(_rows(db, session_id), readings)
    summary = _summary(db, session_id)
    assert summary is not None and summary[0] == "finished" and summary[2] > 0


def test_a_rebuild_over_a_log_holding_an_unprojectable_event_completes_and_keeps_it_aside(
    store: WattlogStore,
    settings: Settings,
    db: psycopg.Connection[Any],
    project: Callable[..., None],
) -> None:
    hostile_id, hostile_readings = _ride_with_hostile_sample(store, 1_700_500_000.0)
    other_readings = ride_readings(1_700_500_500.0, 200, seed=9)
    other_id = write_ride(store, other_readings)
    project()
    [aside] = _set_aside(db, hostile_id)
    before = snapshot_of(settings, hostile_id, other_id)

    for name in ("samples", "summaries"):
        result = rebuild(settings, name, batch_size=20_000)
        assert result.position >= aside.notification_id

    assert snapshot_of(settings, hostile_id, other_id) == before
    assert_rows_match(_rows(db, other_id), other_readings)
    assert_rows_match(_rows(db, hostile_id), hostile_readings)
    [kept] = _set_aside(db, hostile_id)
    assert (kept.projection, kept.notification_id) == ("samples", aside.notification_id)
    assert not [f for f in failures.listed(db) if f.projection.endswith("~rebuild")]


def _finished_ride_with_one_sample_aside(
    store: WattlogStore,
    db: psycopg.Connection[Any],
    project: Callable[..., None],
    t0: float,
    refuse_temperature: float,
    seed: int,
) -> tuple[UUID, list[Any]]:
    """A finished ride projected with one reading set aside (the test trigger refused it),
    and the trigger dropped: the cause of the failure is gone."""
    readings = ride_readings(t0, 200, seed=seed)
    readings.append(("trainer", (t0 + 80.6, {"power_w": 400, "temperature_c": refuse_temperature})))
    readings.sort(key=lambda r: r[1][0])
    session_id = write_ride(store, readings)  # finished: it keeps its per-second readings
    project()
    assert len(_set_aside(db, session_id)) == 1
    db.execute("DROP TRIGGER refuse_marked_temperature ON samples")
    return session_id, readings


def test_a_set_aside_sample_of_a_ride_that_has_since_finished_is_merged_by_a_retry(
    store: WattlogStore,
    settings: Settings,
    db: psycopg.Connection[Any],
    project: Callable[..., None],
    refuse_temperature: float,
) -> None:
    t0 = 1_700_600_000.0
    session_id, readings = _finished_ride_with_one_sample_aside(
        store, db, project, t0, refuse_temperature, seed=12
    )

    _cli(settings, "--retry-failed", "samples")  # other tests' hostile events still fail
    assert _set_aside(db, session_id) == []
    stored = _rows(db, session_id)
    assert_rows_match(stored, readings)
    assert stored[int(t0) + 80][3] == refuse_temperature
    # The retry redoes the rows, not the summary: the summaries rebuild does (docs).
    rebuild(settings, "summaries")
    assert (_summary(db, session_id) or ("",))[0] == "finished"


def test_a_set_aside_sample_of_a_ride_without_its_per_second_readings_waits_for_a_rebuild(
    store: WattlogStore,
    settings: Settings,
    db: psycopg.Connection[Any],
    project: Callable[..., None],
    refuse_temperature: float,
) -> None:
    t0 = 1_700_600_000.0
    session_id, readings = _finished_ride_with_one_sample_aside(
        store, db, project, t0, refuse_temperature, seed=11
    )
    # As a ride finished before finished rides kept their per-second readings.
    db.execute("DELETE FROM sample_bins WHERE session_id = %s", (session_id,))

    # Merged alone into a finished ride it would rewrite its neighbours' rows: refused.
    before = snapshot(settings)
    retried = _cli(settings, "--retry-failed", "samples")
    assert retried.returncode == 1
    [kept] = _set_aside(db, session_id)
    assert "keeps no per-second readings" in kept.error
    assert "rebuild the samples projection" in kept.error
    assert snapshot(settings) == before

    # A rebuild projects it in its place in the log, and the summary follows.
    rebuild(settings, "samples")
    rebuild(settings, "summaries")
    assert _set_aside(db, session_id) == []
    stored = _rows(db, session_id)
    assert_rows_match(stored, readings)
    assert stored[int(t0) + 80][3] == refuse_temperature
    assert (_summary(db, session_id) or ("",))[0] == "finished"
