"""Ordered, idempotent migrations: the event store's tables, then db/migrations/*.sql.

The flavour (TimescaleDB or plain PostgreSQL) is chosen by `WATTLOG_DB_FLAVOUR` and what
the server has, kept once chosen (adapters/postgres/flavour.py), and logged.
Each file runs once, in its own transaction, recorded in `schema_migrations`; an advisory
lock keeps two `wattlog migrate` runs from interleaving.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources

import psycopg

from adapters.eventstore import WattlogStore
from adapters.postgres.flavour import choose_flavour
from adapters.settings import Settings

log = logging.getLogger(__name__)

_LOCK_KEY = 0x77617474  # "watt"


@dataclass(frozen=True)
class Migration:
    name: str
    folder: str
    sql: str


def detect_flavour(conn: psycopg.Connection) -> str:
    """The flavour of this database: the one it was migrated with, else what auto picks."""
    return choose_flavour(conn, "auto")


def list_migrations(flavour: str) -> list[Migration]:
    root = resources.files("db") / "migrations"
    found: list[Migration] = []
    for folder in ("common", flavour):
        directory = root / folder
        if not directory.is_dir():
            continue
        for entry in directory.iterdir():
            if entry.name.endswith(".sql"):
                found.append(Migration(entry.name, folder, entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.name)


def migrate(settings: Settings) -> list[str]:
    """Bring the database up to date; returns the names of the migrations applied now."""
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            # Chosen (or refused) before anything is created.
            flavour = choose_flavour(conn, settings.db_flavour)
            # The library creates its own tables (IF NOT EXISTS); done here, once, so that
            # workers can run with CREATE_TABLE=n.
            WattlogStore(settings, create_table=True).close()
            log.info("migrating", extra={"flavour": flavour, "database": settings.database_name})
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name text PRIMARY KEY, flavour text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations")}
            applied: list[str] = []
            for migration in list_migrations(flavour):
                if migration.name in done:
                    continue
                with conn.transaction():
                    conn.execute(migration.sql)
                    conn.execute(
                        "INSERT INTO schema_migrations (name, flavour) VALUES (%s, %s)",
                        (migration.name, migration.folder),
                    )
                applied.append(migration.name)
                log.info("migration applied", extra={"migration": migration.name})
            return applied
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
