"""The TimescaleDB flavour: hypertable, compression, continuous aggregates and policies.

Runs only where the extension is available (and then the whole run's database was migrated
with the TimescaleDB flavour); skipped cleanly elsewhere.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from projection_helpers import expected_series, ride_readings, write_ride

from adapters.eventstore import WattlogStore
from adapters.settings import Settings
from projections.rebuild import rebuild
from projections.retention import apply_retention

pytestmark = pytest.mark.timescaledb


@pytest.fixture
def timescale_db(settings: Settings) -> Any:
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        installed = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")
        if installed.fetchone() is None:
            pytest.skip("TimescaleDB is not installed on this server")
        yield conn


def test_samples_is_a_compressed_hypertable_segmented_by_session(timescale_db: Any) -> None:
    hypertable = timescale_db.execute(
        "SELECT compression_enabled FROM timescaledb_information.hypertables"
        " WHERE hypertable_name = 'samples'"
    ).fetchone()
    assert hypertable == (True,)
    settings = dict(
        timescale_db.execute(
            "SELECT attname, segmentby_column_index IS NOT NULL"
            " FROM timescaledb_information.compression_settings WHERE hypertable_name = 'samples'"
        ).fetchall()
    )
    assert settings == {"session_id": True, "ts": False}
    jobs = {
        row[0]
        for row in timescale_db.execute(
            "SELECT proc_name FROM timescaledb_information.jobs WHERE hypertable_name = 'samples'"
            " OR proc_name = 'policy_refresh_continuous_aggregate'"
        ).fetchall()
    }
    assert {"policy_compression", "policy_refresh_continuous_aggregate"} <= jobs


def test_rollups_are_continuous_aggregates_that_show_a_ride_at_once(
    timescale_db: Any, store: WattlogStore, project: Any
) -> None:
    caggs = {
        row[0]
        for row in timescale_db.execute(
            "SELECT view_name FROM timescaledb_information.continuous_aggregates"
        ).fetchall()
    }
    assert {"minute_rollups", "daily_session_rollups"} <= caggs
    readings = ride_readings(1_700_500_000.0, 600)
    session_id = write_ride(store, readings)
    project()
    _, series = expected_series(readings)
    minutes = timescale_db.execute(
        "SELECT sum(seconds) FROM minute_rollups WHERE session_id = %s", (session_id,)
    ).fetchone()
    assert minutes == (sum(series.recorded),)
    summary = timescale_db.execute(
        "SELECT s.tss, d.tss FROM session_summaries s JOIN daily_rollups d"
        " ON d.athlete_id = s.athlete_id AND d.day = s.ride_day WHERE s.session_id = %s",
        (session_id,),
    ).fetchone()
    assert abs(summary[0] - summary[1]) < 1e-3 * summary[0]


def test_rebuild_swaps_the_hypertable_and_aggregates_whole_and_their_policies_survive(
    timescale_db: Any, store: WattlogStore, settings: Settings, project: Any
) -> None:
    session_id = write_ride(store, ride_readings(1_700_600_000.0, 300))
    project()
    before = timescale_db.execute(
        "SELECT (SELECT count(*) FROM samples WHERE session_id = %(s)s),"
        " (SELECT sum(seconds) FROM minute_rollups WHERE session_id = %(s)s)",
        {"s": session_id},
    ).fetchone()
    apply_retention(timescale_db, 3650)
    try:
        rebuild(settings, "samples", batch_size=1000)
        hypertables = timescale_db.execute(
            "SELECT hypertable_schema FROM timescaledb_information.hypertables"
            " WHERE hypertable_name = 'samples'"
        ).fetchall()
        assert hypertables == [("public",)]
        caggs = timescale_db.execute(
            "SELECT view_schema, view_name, materialization_hypertable_name"
            " FROM timescaledb_information.continuous_aggregates ORDER BY view_name"
        ).fetchall()
        assert [(c[0], c[1]) for c in caggs] == [
            ("public", "daily_session_rollups"),
            ("public", "minute_rollups"),
        ]
        jobs = timescale_db.execute(
            "SELECT proc_name, hypertable_schema, hypertable_name, config->>'drop_after'"
            " FROM timescaledb_information.jobs WHERE proc_name LIKE 'policy_%%'"
        ).fetchall()
        on_samples = sorted((j[0], j[3]) for j in jobs if j[1:3] == ("public", "samples"))
        assert on_samples == [("policy_compression", None), ("policy_retention", "3650 days")]
        refreshed = sorted(j[2] for j in jobs if j[0] == "policy_refresh_continuous_aggregate")
        assert refreshed == sorted(c[2] for c in caggs)
        after = timescale_db.execute(
            "SELECT (SELECT count(*) FROM samples WHERE session_id = %(s)s),"
            " (SELECT sum(seconds) FROM minute_rollups WHERE session_id = %(s)s)",
            {"s": session_id},
        ).fetchone()
        assert after == before
    finally:
        apply_retention(timescale_db, 0)
