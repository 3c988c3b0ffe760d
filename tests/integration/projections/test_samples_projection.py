"""The samples projection gives the rows the domain's resampling gives for the whole ride,
whatever the batches and the arrival order."""

from __future__ import annotations

import math
import random
from typing import Any
from uuid import uuid4

import psycopg
from projection_helpers import assert_rows_match, expected_series, ride_readings, write_ride

from adapters.eventstore import WattlogStore
from domain.metrics.power import normalized_power
from domain.sessions import WorkoutSession


def _stored(db: psycopg.Connection[Any], session_id: Any) -> dict[int, tuple[Any, ...]]:
    rows = db.execute(
        "SELECT extract(epoch FROM ts)::bigint, power_w, cadence_rpm, heart_rate_bpm, power_30s_w"
        " FROM samples WHERE session_id = %s ORDER BY ts",
        (session_id,),
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def test_samples_equal_whole_ride_resampling_when_projected_in_small_batches(
    store: WattlogStore, db: psycopg.Connection[Any], project: Any
) -> None:
    readings = ride_readings(1_700_100_000.0, 900)
    session_id = write_ride(store, readings, chunk=97)
    project(batch_size=113)
    stored = _stored(db, session_id)
    assert_rows_match(stored, readings)
    # The 30 s rolling power is NP's: the 4th-power mean of it is the ride's NP.
    _, series = expected_series(readings)
    rolling = [row[3] for row in stored.values() if row[3] is not None]
    np_from_rows = (sum(r**4 for r in rolling) / len(rolling)) ** 0.25
    assert math.isclose(np_from_rows, normalized_power(series.channel("power_w")), rel_tol=1e-5)


def test_samples_equal_whole_ride_resampling_when_a_backlog_arrives_late_from_another_client(
    store: WattlogStore, db: psycopg.Connection[Any], project: Any
) -> None:
    readings = ride_readings(1_700_200_000.0, 600, seed=3)
    desktop, phone = f"desktop-{uuid4().hex[:6]}", f"phone-{uuid4().hex[:6]}"
    session = WorkoutSession.start(
        athlete_id=uuid4(), owner_id=uuid4(), client_id=desktop, ftp_w=250, session_id=uuid4()
    )
    # The phone takes over at 300 s; the desktop's last 100 s arrive after everything else,
    # in shuffled batches, and the projector runs between the writes.
    cut, late_from = 300, 200
    on_time = [r for r in readings if r[1][0] - readings[0][1][0] < late_from]
    late = [r for r in readings if late_from <= r[1][0] - readings[0][1][0] < cut]
    taken_over = [r for r in readings if r[1][0] - readings[0][1][0] >= cut]
    for seq, (sensor, (t, values)) in enumerate(on_time):
        session.record_sample(desktop, seq, t, sensor, "test", b"", values)
    store.save(session)
    project(batch_size=250)
    session.switch_transport("phone", phone)
    for seq, (sensor, (t, values)) in enumerate(taken_over):
        session.record_sample(phone, seq, t, sensor, "test", b"", values)
        if seq % 300 == 299:
            store.save(session)
            project(batch_size=250)
    chunks = [late[i : i + 150] for i in range(0, len(late), 150)]
    random.Random(7).shuffle(chunks)
    seq = len(on_time)
    for chunk in chunks:
        for sensor, (t, values) in chunk:
            session.record_sample(desktop, seq, t, sensor, "test", b"", values)
            seq += 1
        store.save(session)
        project(batch_size=250)
    session.finish()
    store.save(session)
    project()
    assert_rows_match(_stored(db, session.id), readings)


def test_discarded_session_leaves_no_rows_or_rollups(
    store: WattlogStore, db: psycopg.Connection[Any], project: Any
) -> None:
    athlete_id = uuid4()
    readings = ride_readings(1_700_300_000.0, 200)
    session_id = write_ride(store, readings, athlete_id=athlete_id, finish=False)
    project()
    assert_rows_match(_stored(db, session_id), readings)
    session = store.repository.get(session_id)
    session.discard("wrong bike")
    store.save(session)
    project()
    for table in ("samples", "minute_rollups", "sample_bins"):
        count = db.execute(f"SELECT count(*) FROM {table} WHERE session_id = %s", (session_id,))
        assert count.fetchone() == (0,), table
    assert db.execute(
        "SELECT count(*) FROM daily_rollups WHERE athlete_id = %s", (athlete_id,)
    ).fetchone() == (0,)
    status = db.execute(
        "SELECT status, tss FROM session_summaries WHERE session_id = %s", (session_id,)
    )
    assert status.fetchone() == ("discarded", None)
