"""TimescaleDB: retention drops old 1 Hz samples, never the rollups or summaries.

Runs only where the extension is installed (on its own database, since it drops chunks);
skipped cleanly elsewhere.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from projection_helpers import catch_up, ride_readings, write_ride

from adapters.eventstore import WattlogStore
from adapters.migrations import migrate
from adapters.postgres.test_server import admin_database_url
from adapters.settings import Settings
from projections.retention import apply_retention

pytestmark = pytest.mark.timescaledb

DAY_S = 86_400


@pytest.fixture
def own_settings(settings: Settings, run_id: str) -> Iterator[Settings]:
    name = f"wattlog_test_{run_id}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(admin_database_url(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" OWNER wattlog')
    try:
        own = settings.with_database(name)
        with psycopg.connect(own.database_url) as conn:
            available = conn.execute(
                "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'"
            ).fetchone()
        if available is None:
            pytest.skip("TimescaleDB is not installed on this server")
        migrate(own)
        yield own
    finally:
        with psycopg.connect(admin_database_url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def own_store(own_settings: Settings) -> Iterator[WattlogStore]:
    store = WattlogStore(own_settings.replace(db_pool_size=2))
    yield store
    store.close()


def _kept(conn: psycopg.Connection[Any], session_id: uuid.UUID) -> tuple[Any, ...]:
    row = conn.execute(
        "SELECT (SELECT count(*) FROM samples WHERE session_id = %(s)s),"
        " (SELECT count(*) FROM minute_rollups WHERE session_id = %(s)s),"
        " (SELECT sum(seconds) FROM minute_rollups WHERE session_id = %(s)s),"
        " (SELECT sum(d.seconds) FROM daily_rollups d JOIN session_summaries s"
        "   ON d.athlete_id = s.athlete_id AND d.day = s.ride_day WHERE s.session_id = %(s)s),"
        " (SELECT tss FROM session_summaries WHERE session_id = %(s)s)",
        {"s": session_id},
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_retention_drops_old_samples_but_the_rollups_and_summaries_stay(
    own_settings: Settings, own_store: WattlogStore
) -> None:
    today = time.time() // DAY_S * DAY_S
    morning = 10 * 3_600  # rides start at 10:00 UTC, so none crosses midnight
    old = write_ride(own_store, ride_readings(today - 100 * DAY_S + morning, 601))
    catch_up(own_store, own_settings)
    with psycopg.connect(own_settings.database_url, autocommit=True) as conn:
        samples, minutes, seconds, day_seconds, tss = _kept(conn, old)
        # An imported old ride is materialized by its own explicit refresh.
        assert samples > 0 and minutes >= 10 and seconds == day_seconds == samples
        assert tss is not None
        pending = conn.execute("SELECT count(*) FROM rollup_refresh_requests").fetchone()
        assert pending == (0,)

        windows = conn.execute(
            "SELECT config->>'start_offset' FROM timescaledb_information.jobs"
            " WHERE proc_name = 'policy_refresh_continuous_aggregate'"
        ).fetchall()
        assert sorted(windows) == [("7 days",), ("7 days",)]
        with pytest.raises(ValueError, match="at least 14 days"):
            apply_retention(conn, 13)

        apply_retention(conn, 30)
        conn.execute("SELECT drop_chunks('samples', older_than => INTERVAL '30 days')")
        # What runs afterwards: the refresh policies, and the projector with more old rides,
        # one inside the horizon and one beyond it.
        for (job_id,) in conn.execute(
            "SELECT job_id FROM timescaledb_information.jobs"
            " WHERE proc_name = 'policy_refresh_continuous_aggregate'"
        ).fetchall():
            conn.execute("CALL run_job(%s)", (job_id,))
        recent = write_ride(own_store, ride_readings(today - 20 * DAY_S + morning, 300, seed=1))
        write_ride(own_store, ride_readings(today - 100 * DAY_S + morning + 3_600, 300, seed=2))
        catch_up(own_store, own_settings)

        assert _kept(conn, old) == (0, minutes, seconds, day_seconds, tss)
        recent_kept = _kept(conn, recent)
        assert recent_kept[0] > 0 and recent_kept[2] == recent_kept[0]
        pending = conn.execute("SELECT count(*) FROM rollup_refresh_requests").fetchone()
        assert pending == (0,)
