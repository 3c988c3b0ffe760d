"""Ordered, idempotent migrations: the event store's tables, then db/migrations/*.sql.

The flavour (TimescaleDB or plain PostgreSQL) is chosen by `WATTLOG_DB_FLAVOUR` and what
the server has, kept once chosen (adapters/postgres/flavour.py), and logged.
Each file runs once, in its own transaction, recorded in `schema_migrations` by its name
(only the name: a file's text may change, a database that has run it does not run it
again); an advisory lock keeps two `wattlog migrate` runs from interleaving.

SQL that the flavours share is written once, in `db/migrations/shared/`, and pulled into a
flavour's file by a line `\\ir ../shared/FILE.sql` (psql's "include relative"), which
`list_migrations` replaces with that file's text, so the statement runs as if written
there (`wattlog project --rebuild` runs the same text).

It sits above both the event store (adapters/eventstore/, whose tables it creates) and the
PostgreSQL plumbing (adapters/postgres/) the event store builds on; neither imports it.
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
SHARED = "shared"
INCLUDE = "\\ir "


class MigrationError(ValueError):
    """A migration file that cannot be read (an include that is not a shared file)."""


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
                text = _with_includes(entry.read_text(encoding="utf-8"), folder, entry.name)
                found.append(Migration(entry.name, folder, text))
    return sorted(found, key=lambda m: m.name)


def _with_includes(text: str, folder: str, name: str) -> str:
    """The text with each `\\ir ../shared/FILE.sql` line replaced by that file's text."""
    shared = resources.files("db") / "migrations" / SHARED
    lines = []
    for line in text.splitlines(keepends=True):
        if not line.startswith(INCLUDE):
            lines.append(line)
            continue
        target = line[len(INCLUDE) :].strip()
        included = target.removeprefix(f"../{SHARED}/")
        entry = shared / included
        if included == target or "/" in included or not entry.is_file():
            raise MigrationError(f"{folder}/{name}: cannot include {target!r}")
        body = entry.read_text(encoding="utf-8")
        if any(part.startswith(INCLUDE) for part in body.splitlines()):
            raise MigrationError(f"{SHARED}/{included}: a shared file includes no other")
        lines.append(body if body.endswith("\n") else body + "\n")
    return "".join(lines)


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
