"""`WATTLOG_DB_FLAVOUR`: the flavour is chosen explicitly or automatically, kept once chosen,
and refused with a clear message when the server cannot give it."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from processes import run_wattlog
from projection_helpers import catch_up, ride_readings, snapshot, write_ride

from adapters.eventstore import WattlogStore
from adapters.migrations import migrate
from adapters.postgres.flavour import MIN_TIMESCALEDB, FlavourError, timescaledb_version
from adapters.postgres.test_server import admin_database_url
from adapters.settings import Settings
from projections import tracking
from projections.convert import move_samples


@pytest.fixture
def blank(settings: Settings, run_id: str) -> Iterator[Settings]:
    """Settings for an empty database of this test's own, dropped at the end."""
    name = f"wattlog_test_{run_id}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(admin_database_url(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" OWNER wattlog')
    try:
        yield settings.with_database(name)
    finally:
        with psycopg.connect(admin_database_url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables(settings: Settings) -> list[str]:
    with psycopg.connect(settings.database_url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
    return [row[0] for row in rows]


def _server_version(settings: Settings) -> tuple[int, ...] | None:
    with psycopg.connect(settings.database_url) as conn:
        return timescaledb_version(conn)


def _migrate_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return run_wattlog(settings, "migrate", *args)


def test_asking_for_timescaledb_where_the_server_lacks_it_is_refused_and_creates_nothing(
    blank: Settings,
) -> None:
    version = _server_version(blank)
    if version is not None and version >= MIN_TIMESCALEDB:
        pytest.skip("this server has a recent TimescaleDB")
    refused = _migrate_cli(blank.replace(db_flavour="timescale"))
    assert refused.returncode == 2
    assert "wattlog migrate: the TimescaleDB flavour needs" in refused.stderr
    assert "2.11.0" in refused.stderr
    assert _tables(blank) == []


def test_a_plain_database_keeps_its_flavour_and_another_one_is_refused(blank: Settings) -> None:
    applied = migrate(blank.replace(db_flavour="plain"))
    assert "0201_rm_samples.sql" in applied
    tables = _tables(blank)
    assert "samples_default" in tables  # the plain flavour's partitioned samples

    with pytest.raises(FlavourError, match="migrated with the plain flavour"):
        migrate(blank.replace(db_flavour="timescale"))
    refused = _migrate_cli(blank.replace(db_flavour="timescale"))
    assert refused.returncode == 2
    assert "WATTLOG_DB_FLAVOUR=timescale cannot change it" in refused.stderr
    assert _tables(blank) == tables

    # auto keeps what the database has, whatever the server offers.
    assert migrate(blank.replace(db_flavour="auto")) == []


@pytest.mark.timescaledb
def test_auto_takes_timescaledb_where_the_server_has_a_recent_enough_one(
    blank: Settings,
) -> None:
    version = _server_version(blank)
    if version is None or version < MIN_TIMESCALEDB:
        pytest.skip("TimescaleDB (2.11.0 or later) is not installed on this server")
    migrate(blank.replace(db_flavour="auto"))
    with psycopg.connect(blank.database_url) as conn:
        hypertable = conn.execute(
            "SELECT count(*) FROM timescaledb_information.hypertables"
            " WHERE hypertable_name = 'samples'"
        ).fetchone()
    assert hypertable == (1,)


def test_moving_to_timescaledb_where_the_server_lacks_it_is_refused_and_changes_nothing(
    blank: Settings,
) -> None:
    version = _server_version(blank)
    if version is not None and version >= MIN_TIMESCALEDB:
        pytest.skip("this server has a recent TimescaleDB")
    migrate(blank.replace(db_flavour="plain"))
    tables = _tables(blank)
    refused = _migrate_cli(blank, "--to-timescale")
    assert refused.returncode == 2
    assert "wattlog migrate: the TimescaleDB flavour needs" in refused.stderr
    assert _tables(blank) == tables


def test_moving_the_samples_read_models_keeps_every_row_and_the_projectors_position(
    blank: Settings,
) -> None:
    """The steps of `--to-timescale` that need no TimescaleDB: copy, swap, bookkeeping."""
    migrate(blank.replace(db_flavour="plain"))
    store = WattlogStore(blank.replace(db_pool_size=2))
    try:
        write_ride(store, ride_readings(1_700_700_000.0, 300))
        write_ride(store, ride_readings(1_703_000_000.0, 200, seed=3), finish=False)
        catch_up(store, blank)
        before = snapshot(blank)
        with psycopg.connect(blank.database_url, autocommit=True) as conn:
            position = tracking.read_position(conn, "samples")
            copied = move_samples(conn, "plain")
            assert copied > 0
            assert tracking.read_position(conn, "samples") == position
            leftovers = conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname IN"
                " ('convert_samples', 'replaced_samples')"
            ).fetchall()
            assert leftovers == []
        assert snapshot(blank) == before
        # The projector goes on in the moved tables: the running ride's end lands there.
        later = write_ride(store, ride_readings(1_703_100_000.0, 120, seed=4))
        catch_up(store, blank)
        with psycopg.connect(blank.database_url) as conn:
            rows = conn.execute("SELECT count(*) FROM samples WHERE session_id = %s", (later,))
            assert rows.fetchone()[0] > 0  # type: ignore[index]
    finally:
        store.close()


@pytest.mark.timescaledb
def test_to_timescale_turns_a_plain_database_into_hypertable_and_aggregates_with_its_data(
    blank: Settings,
) -> None:
    version = _server_version(blank)
    if version is None or version < MIN_TIMESCALEDB:
        pytest.skip("TimescaleDB (2.11.0 or later) is not installed on this server")
    migrate(blank.replace(db_flavour="plain"))
    store = WattlogStore(blank.replace(db_pool_size=2))
    try:
        session_id = write_ride(store, ride_readings(1_700_800_000.0, 300))
        catch_up(store, blank)
        query = (
            "SELECT (SELECT count(*) FROM samples WHERE session_id = %(s)s),"
            " (SELECT sum(seconds) FROM minute_rollups WHERE session_id = %(s)s),"
            " (SELECT sum(d.tss) FROM daily_rollups d JOIN session_summaries s"
            "  ON d.athlete_id = s.athlete_id AND d.day = s.ride_day WHERE s.session_id = %(s)s)"
        )
        with psycopg.connect(blank.database_url) as conn:
            before = conn.execute(query, {"s": session_id}).fetchone()
        moved = _migrate_cli(blank, "--to-timescale")
        assert moved.returncode == 0, moved.stderr
        with psycopg.connect(blank.database_url) as conn:
            after = conn.execute(query, {"s": session_id}).fetchone()
            hypertable = conn.execute(
                "SELECT hypertable_schema FROM timescaledb_information.hypertables"
                " WHERE hypertable_name = 'samples'"
            ).fetchall()
            flavours = conn.execute("SELECT DISTINCT flavour FROM schema_migrations").fetchall()
        assert hypertable == [("public",)]
        assert sorted(flavours) == [("common",), ("timescale",)]
        assert before is not None and after is not None
        assert after[:2] == before[:2]
        assert abs(after[2] - before[2]) < 1e-6 * before[2]
    finally:
        store.close()
