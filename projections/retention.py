"""Optional retention of the 1 Hz samples (rollups, summaries and fitness are kept).

TimescaleDB: a retention policy on the `samples` hypertable (add_retention_policy, or
remove_retention_policy for 0); its horizon lies beyond the rollups' refresh window, so no
refresh ever recomputes a dropped region (projections/samples/refresh.py).
Plain PostgreSQL: whole monthly partitions that end before the cutoff are dropped. The
projector service applies this at start and every hour. The event store keeps every
event, so a rebuild brings dropped samples back.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql

from projections.samples.partitions import next_month
from projections.samples.refresh import MIN_RETENTION_DAYS

log = logging.getLogger(__name__)


def check_days(days: int) -> None:
    """The same limit on both flavours, so that a plain database can move to TimescaleDB."""
    if days < 0 or 0 < days < MIN_RETENTION_DAYS:
        raise ValueError(
            f"samples retention must be 0 (keep forever) or at least {MIN_RETENTION_DAYS} days"
            " (the rollups are refreshed over the last 7 days; retention must stay clear of"
            " that window)"
        )


def apply_retention(conn: psycopg.Connection[Any], days: int, now: datetime | None = None) -> None:
    check_days(days)
    kind = conn.execute(
        "SELECT relkind FROM pg_class WHERE oid = to_regclass('samples')"
    ).fetchone()
    if kind is None:
        return
    if kind[0] != "p":
        conn.execute("SELECT remove_retention_policy('samples', if_exists => TRUE)")
        if days:
            conn.execute(
                "SELECT add_retention_policy('samples', drop_after => make_interval(days => %s))",
                (days,),
            )
        log.info("samples retention policy set", extra={"days": days})
        return
    if not days:
        return
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    rows = conn.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = 'samples'::regclass AND c.relname ~ '^samples_p[0-9]{4}_[0-9]{2}$'"
    ).fetchall()
    for (name,) in rows:
        year, month = next_month((int(name[9:13]), int(name[14:16])))
        if datetime(year, month, 1, tzinfo=UTC) <= cutoff:
            conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(name)))
            log.info("samples partition dropped", extra={"partition": name, "days": days})
