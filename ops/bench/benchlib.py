"""What every benchmark shares: a scratch database and vhost of its own (removed at the end),
timing helpers, and the output format (one JSON line of figures, then a short table)."""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from adapters.migrations import migrate
from adapters.postgres.flavour import recorded_flavour
from adapters.postgres.test_server import (
    admin_database_url,
    application_database_url,
    requested_flavour,
)
from adapters.settings import Settings

ADMIN_DATABASE_URL = admin_database_url()
MANAGEMENT = "http://localhost:15672"


def _management(method: str, path: str, body: dict[str, Any] | None = None) -> None:
    request = urllib.request.Request(
        MANAGEMENT + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"content-type": "application/json", "authorization": "Basic Z3Vlc3Q6Z3Vlc3Q="},
    )
    with urllib.request.urlopen(request, timeout=30):
        pass


# Which flavour the scratch database got: every report says it.
ran_on: dict[str, str] = {}


@contextlib.contextmanager
def scratch_settings(**overrides: Any) -> Iterator[Settings]:
    """Settings for a database and vhost made for this benchmark run, migrated, then dropped."""
    name = f"wattlog_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" OWNER wattlog')
    _management("PUT", f"/api/vhosts/{quote(name)}", {})
    _management(
        "PUT",
        f"/api/permissions/{quote(name)}/guest",
        {"configure": ".*", "write": ".*", "read": ".*"},
    )
    settings = (
        Settings(
            env="test",
            **{
                "database_url": application_database_url(),
                "db_flavour": requested_flavour(),
                **overrides,
            },
        )
        .with_database(name)
        .with_vhost(name)
    )
    try:
        migrate(settings)
        with psycopg.connect(settings.database_url) as conn:
            ran_on["flavour"] = recorded_flavour(conn) or "unknown"
        yield settings
    finally:
        _management("DELETE", f"/api/vhosts/{quote(name)}")
        with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def timed(func: Callable[[], Any], repeats: int) -> list[float]:
    """Seconds each call took."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return times


def median_ms(times: list[float]) -> float:
    return round(statistics.median(times) * 1000, 2)


def report(name: str, figures: dict[str, Any], table: list[tuple[str, ...]]) -> None:
    print(json.dumps({"benchmark": name, **ran_on, **figures}))
    widths = [max(len(str(row[i])) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
