"""A projection's tables in another schema: created from its migration files, and swapped in.

A rebuild runs the projection's migration files (those named `*_rm_<projection>.sql`, written
with unqualified names) with search_path set to a fresh schema, so the copy has exactly the
live tables' definition. The swap moves the live relations to a graveyard schema and the
rebuilt ones to `public`, inside the caller's transaction.

Plain PostgreSQL: a partitioned table's partitions are tables of their own and move with it.
TimescaleDB: a hypertable and a continuous aggregate move as a whole (`ALTER TABLE` /
`ALTER MATERIALIZED VIEW ... SET SCHEMA`); their chunks stay in `_timescaledb_internal`,
which is TimescaleDB's business, and their policies are jobs bound to the hypertable, so
they move with it. The rebuilt copy gets its compression and refresh policies from the
migration; the retention policy (set by the projector, not the migration) is carried over.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from adapters.migrations import detect_flavour, list_migrations
from projections.base import ProjectionError

LIVE_SCHEMA = "public"


def rebuild_schema(projection: str) -> str:
    return f"rebuild_{projection}"


def graveyard_schema(projection: str) -> str:
    return f"replaced_{projection}"


def create_copy(
    conn: psycopg.Connection[Any], projection: str, schema: str, flavour: str | None = None
) -> list[str]:
    """Drops any leftover copy, then creates the projection's tables in ``schema`` (in the
    database's flavour, or in ``flavour`` when moving to another one)."""
    flavour = flavour or detect_flavour(conn)
    files = [m for m in list_migrations(flavour) if f"_rm_{projection}" in m.name]
    if not files:
        raise ProjectionError(f"no migration defines the tables of projection {projection!r}")
    drop_schema(conn, schema)
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    for migration in files:
        with conn.transaction():
            conn.execute(
                sql.SQL("SET LOCAL search_path TO {}, public").format(sql.Identifier(schema))
            )
            conn.execute(migration.sql)
    return [m.name for m in files]


def swap_in(conn: psycopg.Connection[Any], projection: str, schema: str) -> None:
    """Moves the copy in ``schema`` to `public` and the live relations out (one transaction)."""
    graveyard = graveyard_schema(projection)
    drop_schema(conn, graveyard)
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(graveyard)))
    rebuilt = _relations(conn, schema)
    live = _relations(conn, LIVE_SCHEMA)
    caggs = _continuous_aggregates(conn)
    retention = _retention_policies(conn, LIVE_SCHEMA)
    outgoing = [name for name in live if name in rebuilt]
    # Only declarative partitions: a hypertable's chunks also inherit from it (pg_inherits)
    # but live in TimescaleDB's own schema and are never moved by hand.
    outgoing += [p for name in list(outgoing) if live[name] == "p" for p in _partitions(conn, name)]
    for name in dict.fromkeys(outgoing):
        _move(conn, LIVE_SCHEMA, name, live.get(name, "r"), graveyard, caggs)
    for name, kind in rebuilt.items():
        _move(conn, schema, name, kind, LIVE_SCHEMA, caggs)
    for name, drop_after in retention.items():
        if name in rebuilt:
            conn.execute(
                "SELECT add_retention_policy(%s::regclass, drop_after => %s::interval,"
                " if_not_exists => TRUE)",
                (f'{LIVE_SCHEMA}."{name}"', drop_after),
            )


def drop_schema(conn: psycopg.Connection[Any], schema: str) -> None:
    # Continuous aggregates first, by the statement TimescaleDB documents for them (it drops
    # their materialization hypertables too); then the rest with the schema.
    for owner, name in sorted(_continuous_aggregates(conn)):
        if owner == schema:
            conn.execute(
                sql.SQL("DROP MATERIALIZED VIEW IF EXISTS {}.{} CASCADE").format(
                    sql.Identifier(owner), sql.Identifier(name)
                )
            )
    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _relations(conn: psycopg.Connection[Any], schema: str) -> dict[str, str]:
    rows = conn.execute(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY c.relname",
        (schema,),
    ).fetchall()
    return {name: kind for name, kind in rows}


def _partitions(conn: psycopg.Connection[Any], parent: str) -> list[str]:
    """The live partitioned table's partitions (they are created in the same schema)."""
    rows = conn.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " JOIN pg_namespace cn ON cn.oid = c.relnamespace"
        " JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace"
        " WHERE n.nspname = %s AND p.relname = %s AND cn.nspname = n.nspname",
        (LIVE_SCHEMA, parent),
    ).fetchall()
    return [row[0] for row in rows]


def _timescaledb_installed(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'").fetchone()
    return row is not None


def _retention_policies(conn: psycopg.Connection[Any], schema: str) -> dict[str, str]:
    """Hypertables of ``schema`` with a retention policy, and its drop_after interval."""
    if not _timescaledb_installed(conn):
        return {}
    rows = conn.execute(
        "SELECT hypertable_name, config->>'drop_after' FROM timescaledb_information.jobs"
        " WHERE proc_name = 'policy_retention' AND hypertable_schema = %s",
        (schema,),
    ).fetchall()
    return {name: drop_after for name, drop_after in rows}


def _continuous_aggregates(conn: psycopg.Connection[Any]) -> set[tuple[str, str]]:
    if not _timescaledb_installed(conn):
        return set()
    rows = conn.execute(
        "SELECT view_schema, view_name FROM timescaledb_information.continuous_aggregates"
    ).fetchall()
    return {(schema, name) for schema, name in rows}


def _move(
    conn: psycopg.Connection[Any],
    schema: str,
    name: str,
    kind: str,
    to_schema: str,
    caggs: set[tuple[str, str]],
) -> None:
    if (schema, name) in caggs:
        statement = "ALTER MATERIALIZED VIEW {}.{} SET SCHEMA {}"
    elif kind == "v":
        statement = "ALTER VIEW {}.{} SET SCHEMA {}"
    elif kind == "m":
        statement = "ALTER MATERIALIZED VIEW {}.{} SET SCHEMA {}"
    else:
        statement = "ALTER TABLE {}.{} SET SCHEMA {}"
    conn.execute(
        sql.SQL(statement).format(
            sql.Identifier(schema), sql.Identifier(name), sql.Identifier(to_schema)
        )
    )
