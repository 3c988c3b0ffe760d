"""The samples read model is written once where the flavours agree (db/migrations/shared/,
included by plain/0201 and timescale/0201), and the databases that ran 0201 before keep
working: the runner records migrations by name, so they do not run it again, and what the
file makes now is exactly what it made then."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from importlib import resources
from typing import Any

import psycopg
import pytest

from adapters.migrations import MigrationError, _with_includes, list_migrations, migrate
from adapters.postgres.test_server import admin_database_url
from adapters.settings import Settings
from projections.rebuild import rebuild

SAMPLES_TABLES = ("samples", "samples_default", "sample_bins", "samples_sessions")

# What plain/0201_rm_samples.sql said of these tables before they were written once: every
# plain database migrated until then has them so.
BEFORE = """\
CREATE TABLE IF NOT EXISTS samples (
    session_id        uuid NOT NULL,
    ts                timestamptz NOT NULL,
    athlete_id        uuid NOT NULL,
    ftp_w             smallint,
    power_w           real,
    power_30s_w       real,
    heart_rate_bpm    real,
    cadence_rpm       real,
    speed_kmh         real,
    distance_m        double precision,
    altitude_m        real,
    temperature_c     real,
    power_balance_pct real,
    latitude_deg      double precision,
    longitude_deg     double precision,
    rr_ms             real[],
    PRIMARY KEY (session_id, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE IF NOT EXISTS samples_default PARTITION OF samples DEFAULT;
CREATE INDEX IF NOT EXISTS samples_athlete_ts ON samples (athlete_id, ts);

-- Working state: the readings of each second of a session that is still running, so that
-- late and out-of-order readings can be merged exactly. Emptied when the session ends.
CREATE TABLE IF NOT EXISTS sample_bins (
    session_id  uuid NOT NULL,
    second      bigint NOT NULL,
    readings    jsonb NOT NULL,
    PRIMARY KEY (session_id, second)
);

-- What the projector knows about each session (from Started and the samples so far).
CREATE TABLE IF NOT EXISTS samples_sessions (
    session_id    uuid PRIMARY KEY,
    athlete_id    uuid NOT NULL,
    ftp_w         smallint NOT NULL,
    status        text NOT NULL,
    has_power     boolean NOT NULL DEFAULT false,
    imported      boolean NOT NULL DEFAULT false,
    first_second  bigint,
    last_second   bigint
);
"""


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


def _describe(conn: psycopg.Connection[Any], schema: str) -> dict[str, Any]:
    """Columns, constraints, indexes and partitioning of the samples tables in ``schema``."""
    columns = conn.execute(
        "SELECT table_name, ordinal_position, column_name, data_type, udt_name, is_nullable,"
        " column_default FROM information_schema.columns"
        " WHERE table_schema = %s AND table_name = ANY(%s) ORDER BY 1, 2",
        (schema, list(SAMPLES_TABLES)),
    ).fetchall()
    constraints = conn.execute(
        "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k"
        " JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relname = ANY(%s) ORDER BY 1, 2",
        (schema, list(SAMPLES_TABLES)),
    ).fetchall()
    indexes = conn.execute(
        "SELECT tablename, indexname, replace(indexdef, %s, '') FROM pg_indexes"
        " WHERE schemaname = %s AND tablename = ANY(%s) ORDER BY 1, 2",
        (f"{schema}.", schema, list(SAMPLES_TABLES)),
    ).fetchall()
    partitioning = conn.execute(
        "SELECT c.relname, c.relkind, pg_get_partkeydef(c.oid),"
        " pg_get_expr(c.relpartbound, c.oid) FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relname = ANY(%s) ORDER BY 1",
        (schema, list(SAMPLES_TABLES)),
    ).fetchall()
    return {
        "columns": columns,
        "constraints": constraints,
        "indexes": indexes,
        "partitioning": partitioning,
    }


def _raw(flavour: str, name: str) -> str:
    entry = resources.files("db") / "migrations" / flavour / name
    return entry.read_text(encoding="utf-8")


@pytest.mark.parametrize("flavour", ["plain", "timescale"])
def test_both_flavours_make_samples_from_the_columns_written_once(flavour: str) -> None:
    shared = _raw("shared", "samples_columns.sql")
    working = _raw("shared", "samples_working_tables.sql")
    (migration,) = [m for m in list_migrations(flavour) if m.name == "0201_rm_samples.sql"]

    assert "power_30s_w       real," not in _raw(flavour, "0201_rm_samples.sql")
    assert "CREATE TABLE IF NOT EXISTS sample_bins" not in _raw(flavour, "0201_rm_samples.sql")
    assert "CREATE TABLE IF NOT EXISTS samples (\n" + shared in migration.sql
    assert working in migration.sql
    assert "\\ir " not in migration.sql


def test_an_include_of_anything_but_a_shared_file_is_refused() -> None:
    for line in ("\\ir ../common/0001_bridge_routes.sql", "\\ir ../shared/missing.sql"):
        with pytest.raises(MigrationError, match="cannot include"):
            _with_includes(f"SELECT 1;\n{line}\n", "plain", "0999_x.sql")


def test_a_database_migrated_before_keeps_its_samples_tables_through_migrate_and_rebuild(
    blank: Settings,
) -> None:
    migrate(blank)
    with psycopg.connect(blank.database_url, autocommit=True) as conn:
        now = _describe(conn, "public")
        conn.execute("CREATE SCHEMA before")
        with conn.transaction():
            conn.execute("SET LOCAL search_path TO before, public")
            conn.execute(BEFORE)
        assert _describe(conn, "before") == now
        conn.execute("DROP SCHEMA before CASCADE")
    assert {row[0] for row in now["columns"]} == {"samples", "samples_default"} | {
        "sample_bins",
        "samples_sessions",
    }

    assert migrate(blank) == []  # nothing runs twice
    rebuild(blank, "samples")  # runs 0201 again, in a schema of its own, and swaps it in
    with psycopg.connect(blank.database_url) as conn:
        assert _describe(conn, "public") == now
