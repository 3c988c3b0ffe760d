"""A projection's tables in another schema: created from its migration files, and swapped in.

A rebuild runs the projection's migration files (those named `*_rm_<projection>.sql`, written
with unqualified names) with search_path set to a fresh schema, so the copy has exactly the
live tables' definition. The swap moves the live relations (and their partitions) to a
graveyard schema and the rebuilt ones to `public`, inside the caller's transaction.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from adapters.postgres.migrations import detect_flavour, list_migrations
from projections.base import ProjectionError

LIVE_SCHEMA = "public"


def rebuild_schema(projection: str) -> str:
    return f"rebuild_{projection}"


def graveyard_schema(projection: str) -> str:
    return f"replaced_{projection}"


def create_copy(conn: psycopg.Connection[Any], projection: str, schema: str) -> list[str]:
    """Drops any leftover copy, then creates the projection's tables in ``schema``."""
    files = [m for m in list_migrations(detect_flavour(conn)) if f"_rm_{projection}" in m.name]
    if not files:
        raise ProjectionError(f"no migration defines the tables of projection {projection!r}")
    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
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
    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(graveyard)))
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(graveyard)))
    rebuilt = _relations(conn, schema)
    live = _relations(conn, LIVE_SCHEMA)
    caggs = _continuous_aggregates(conn)
    outgoing = [name for name in live if name in rebuilt]
    outgoing += [p for name in list(outgoing) for p in _partitions(conn, LIVE_SCHEMA, name)]
    for name in dict.fromkeys(outgoing):
        _move(conn, LIVE_SCHEMA, name, live.get(name, "r"), graveyard, caggs)
    for name, kind in rebuilt.items():
        _move(conn, schema, name, kind, LIVE_SCHEMA, caggs)


def drop_schema(conn: psycopg.Connection[Any], schema: str) -> None:
    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _relations(conn: psycopg.Connection[Any], schema: str) -> dict[str, str]:
    rows = conn.execute(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY c.relname",
        (schema,),
    ).fetchall()
    return {name: kind for name, kind in rows}


def _partitions(conn: psycopg.Connection[Any], schema: str, parent: str) -> list[str]:
    rows = conn.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace"
        " WHERE n.nspname = %s AND p.relname = %s",
        (schema, parent),
    ).fetchall()
    return [row[0] for row in rows]


def _continuous_aggregates(conn: psycopg.Connection[Any]) -> set[tuple[str, str]]:
    installed = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'").fetchone()
    if installed is None:
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
