"""Which flavour of the read models a database has: plain PostgreSQL or TimescaleDB.

`WATTLOG_DB_FLAVOUR` is `auto` (default), `plain` or `timescale`. A database keeps the
flavour of its first migration (recorded in `schema_migrations`); asking for another one
is refused. `timescale` is refused when the extension is missing or older than
`MIN_TIMESCALEDB`; `auto` takes TimescaleDB only when it is available and recent enough.

2.11.0 is the first TimescaleDB release that allows UPDATE, DELETE and
INSERT ... ON CONFLICT DO UPDATE on compressed chunks: the samples projector upserts and
deletes rows of finished rides (late samples, imported rides, discarded sessions) in
chunks the compression policy has already compressed.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import psycopg

log = logging.getLogger(__name__)

FLAVOURS = ("auto", "plain", "timescale")
MIN_TIMESCALEDB = (2, 11, 0)


class FlavourError(RuntimeError):
    """The requested flavour cannot be used here; the message says why and what to do."""


def parse_version(text: str) -> tuple[int, ...]:
    """'2.28.3' -> (2, 28, 3); '2.14.0-dev' -> (2, 14, 0)."""
    numbers = re.match(r"^\s*(\d+(?:\.\d+)*)", text)
    if numbers is None:
        raise ValueError(f"not a version: {text!r}")
    return tuple(int(part) for part in numbers.group(1).split("."))


def _version_text(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)


def recorded_flavour(conn: psycopg.Connection[Any]) -> str | None:
    """The flavour this database was migrated with, if it was."""
    exists = conn.execute("SELECT to_regclass('schema_migrations')").fetchone()
    if exists is None or exists[0] is None:
        return None
    row = conn.execute(
        "SELECT flavour FROM schema_migrations WHERE flavour IN ('plain', 'timescale') LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def timescaledb_version(conn: psycopg.Connection[Any]) -> tuple[int, ...] | None:
    """The installed version, else the one CREATE EXTENSION would install; None: absent."""
    row = conn.execute(
        "SELECT coalesce(installed_version, default_version) FROM pg_available_extensions"
        " WHERE name = 'timescaledb'"
    ).fetchone()
    return parse_version(row[0]) if row and row[0] else None


def choose_flavour(conn: psycopg.Connection[Any], requested: str) -> str:
    if requested not in FLAVOURS:
        raise FlavourError(f"WATTLOG_DB_FLAVOUR must be one of {', '.join(FLAVOURS)}")
    recorded = recorded_flavour(conn)
    version = timescaledb_version(conn)
    if recorded is not None:
        if requested not in ("auto", recorded):
            raise FlavourError(
                f"this database was migrated with the {recorded} flavour; WATTLOG_DB_FLAVOUR="
                f"{requested} cannot change it (docs/projections.md, 'Choosing the flavour')"
            )
        if recorded == "timescale":
            require_recent(version)
        return recorded
    if requested == "plain":
        return "plain"
    if requested == "timescale":
        require_recent(version)
        return "timescale"
    if version is not None and version < MIN_TIMESCALEDB:
        log.warning(
            "TimescaleDB is too old for wattlog; using the plain flavour",
            extra={"found": _version_text(version), "needed": _version_text(MIN_TIMESCALEDB)},
        )
        return "plain"
    return "timescale" if version is not None else "plain"


def require_recent(version: tuple[int, ...] | None) -> None:
    needed = _version_text(MIN_TIMESCALEDB)
    if version is None:
        raise FlavourError(
            "the TimescaleDB flavour needs the timescaledb extension, which this PostgreSQL"
            f" server does not have (install TimescaleDB {needed} or later and preload it,"
            " or set WATTLOG_DB_FLAVOUR=plain)"
        )
    if version < MIN_TIMESCALEDB:
        raise FlavourError(
            f"the TimescaleDB flavour needs TimescaleDB {needed} or later (writes into"
            f" compressed chunks); this server has {_version_text(version)}"
        )
