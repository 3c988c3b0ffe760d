"""`WATTLOG_DB_FLAVOUR`: the flavour is chosen explicitly or automatically, kept once chosen,
and refused with a clear message when the server cannot give it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from adapters.postgres.flavour import MIN_TIMESCALEDB, FlavourError, timescaledb_version
from adapters.postgres.migrations import migrate
from adapters.postgres.test_server import admin_database_url
from adapters.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]


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


def _migrate_cli(settings: Settings) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WATTLOG_ENV": "test",
        "WATTLOG_DATABASE_URL": settings.database_url,
        "WATTLOG_DB_FLAVOUR": settings.db_flavour,
        "WATTLOG_LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", "migrate"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


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
