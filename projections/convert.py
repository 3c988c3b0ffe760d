"""`wattlog migrate --to-timescale`: move a plain database's samples read models to
TimescaleDB, with their data.

1. Refuse (changing nothing) unless the database is plain and the server has TimescaleDB
   2.11.0 or later; create the extension.
2. Create the TimescaleDB flavour's samples relations in a schema of their own, from
   `db/migrations/timescale/*_rm_samples.sql`: `samples` becomes a hypertable, the rollups
   continuous aggregates (the rebuild's machinery, projections/schemas.py).
3. In one transaction, holding the samples projector's lock (a running projector pauses
   between two batches): copy every row of each table both flavours have (`samples`,
   `sample_bins`, `samples_sessions`) into the new relations, swap them into `public`,
   bump the projection's generation (a running projector forgets its cached layout), and
   record the new flavour in `schema_migrations`. The tracking position does not move:
   the copied rows are exactly what the projector had written up to it.
4. Drop the plain relations; apply the flavour's remaining migrations; refresh both
   continuous aggregates over all of history (outside a transaction, as TimescaleDB
   requires; nothing has been dropped from the new hypertable, so nothing is lost).

The rollup tables of the plain flavour are not copied: the continuous aggregates are
computed again from the samples. Written from TimescaleDB's documentation; the steps that
do not need TimescaleDB (copy, swap, bookkeeping) are tested here by moving a plain
database to a fresh plain copy (`move_samples(..., "plain")`).
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from psycopg import sql

from adapters.migrations import migrate
from adapters.postgres.flavour import (
    FlavourError,
    recorded_flavour,
    require_recent,
    timescaledb_version,
)
from adapters.settings import Settings
from projections import schemas, tracking

log = logging.getLogger(__name__)

PROJECTION = "samples"
WORK_SCHEMA = "convert_samples"
AGGREGATES = ("minute_rollups", "daily_session_rollups")


def to_timescale(settings: Settings) -> int:
    """Returns the number of rows copied; FlavourError (nothing changed) when refused."""
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        current = recorded_flavour(conn)
        if current is None:
            raise FlavourError("this database has no schema yet: run `wattlog migrate` first")
        if current == "timescale":
            raise FlavourError("this database already has the TimescaleDB flavour")
        require_recent(timescaledb_version(conn))
        conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
        copied = move_samples(conn, "timescale")
    migrate(settings.replace(db_flavour="timescale"))
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        for view in AGGREGATES:
            conn.execute(
                sql.SQL("CALL refresh_continuous_aggregate({}, NULL, NULL)").format(
                    sql.Literal(view)
                )
            )
    return copied


def move_samples(conn: psycopg.Connection[Any], flavour: str) -> int:
    """Steps 2-4 without the extension: the samples read models rebuilt in ``flavour``'s
    layout with the live rows, and swapped in (autocommit connection)."""
    current = recorded_flavour(conn)
    schemas.create_copy(conn, PROJECTION, WORK_SCHEMA, flavour=flavour)
    copied = 0
    with conn.transaction():
        tracking.lock_projection(conn, PROJECTION)
        for table in _shared_tables(conn, WORK_SCHEMA):
            copied += _copy_rows(conn, table)
        schemas.swap_in(conn, PROJECTION, WORK_SCHEMA)
        tracking.bump_generation(conn, PROJECTION)
        conn.execute(
            "UPDATE schema_migrations SET flavour = %s WHERE flavour = %s", (flavour, current)
        )
    schemas.drop_schema(conn, schemas.graveyard_schema(PROJECTION))
    schemas.drop_schema(conn, WORK_SCHEMA)
    log.info("samples read models moved", extra={"flavour": flavour, "rows": copied})
    return copied


def _shared_tables(conn: psycopg.Connection[Any], schema: str) -> list[str]:
    """Tables (not views or aggregates) of the new layout that the live one has too."""
    rows = conn.execute(
        "SELECT n.relname FROM pg_class n JOIN pg_namespace s ON s.oid = n.relnamespace"
        " JOIN pg_class l ON l.relname = n.relname AND l.relkind IN ('r', 'p')"
        " AND l.relnamespace = 'public'::regnamespace"
        " WHERE s.nspname = %s AND n.relkind IN ('r', 'p') AND NOT n.relispartition"
        " ORDER BY n.relname",
        (schema,),
    ).fetchall()
    return [row[0] for row in rows]


def _copy_rows(conn: psycopg.Connection[Any], table: str) -> int:
    columns = [
        row[0]
        for row in conn.execute(
            "SELECT a.attname FROM pg_attribute a WHERE a.attrelid = %s::regclass"
            " AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity = ''"
            " AND a.attgenerated = '' AND EXISTS (SELECT 1 FROM pg_attribute b"
            " WHERE b.attrelid = %s::regclass AND b.attname = a.attname"
            " AND NOT b.attisdropped) ORDER BY a.attnum",
            (f'{WORK_SCHEMA}."{table}"', f'public."{table}"'),
        ).fetchall()
    ]
    names = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    cursor = conn.execute(
        sql.SQL("INSERT INTO {}.{} ({}) SELECT {} FROM public.{}").format(
            sql.Identifier(WORK_SCHEMA), sql.Identifier(table), names, names, sql.Identifier(table)
        )
    )
    return cursor.rowcount
