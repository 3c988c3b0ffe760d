"""Monthly partitions of the plain-PostgreSQL `samples` table (samples_pYYYY_MM).

Created ahead (this month and the next two) and on demand, before the batch that needs them,
each in its own short transaction, so that the DDL's locks are never held for a whole batch.
Should rows of a month have landed in the default partition (a partition created too late),
they are moved into the new partition while it is attached.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql

from projections.base import UnprojectableEvent

log = logging.getLogger(__name__)

MONTHS_AHEAD = 2
Month = tuple[int, int]

# The seconds a sample row can have: from the epoch (the domain refuses negative device
# times) to the end of year 9999, the last month a partition can be named and Python's
# datetime can hold. Sensible bounds against the session and the clock belong to ingest;
# these only keep an event already stored from crashing the projector.
FIRST_SECOND = 0
END_SECOND = int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp()) + 1


def check_device_time(device_time: float) -> None:
    """Raises UnprojectableEvent for a time no `samples` row can have."""
    if not (math.isfinite(device_time) and FIRST_SECOND <= device_time < END_SECOND):
        raise UnprojectableEvent(
            f"device time {device_time!r} s is outside what the samples table holds"
            " (1970-01-01 to 9999-12-31 UTC)"
        )


def month_of(second: int) -> Month:
    check_device_time(second)
    moment = datetime.fromtimestamp(second, UTC)
    return moment.year, moment.month


def next_month(month: Month) -> Month:
    year, number = month
    return (year + 1, 1) if number == 12 else (year, number + 1)


def partition_name(month: Month) -> str:
    return f"samples_p{month[0]:04d}_{month[1]:02d}"


class MonthlyPartitions:
    def __init__(self) -> None:
        self._known: set[Month] | None = None

    def reset(self) -> None:
        self._known = None

    def ensure_ahead(self, conn: psycopg.Connection[Any], now: datetime | None = None) -> None:
        moment = now or datetime.now(UTC)
        month = (moment.year, moment.month)
        wanted = [month]
        for _ in range(MONTHS_AHEAD):
            month = next_month(month)
            wanted.append(month)
        self.ensure(conn, wanted)

    def ensure_seconds(self, conn: psycopg.Connection[Any], seconds: Iterable[int]) -> None:
        self.ensure(conn, {month_of(s) for s in seconds})

    def ensure(self, conn: psycopg.Connection[Any], months: Iterable[Month]) -> None:
        known = self._load(conn)
        for month in sorted(set(months) - known):
            self._create(conn, month)
            known.add(month)

    def _load(self, conn: psycopg.Connection[Any]) -> set[Month]:
        if self._known is None:
            rows = conn.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                " WHERE i.inhparent = 'samples'::regclass"
            ).fetchall()
            self._known = set()
            for (name,) in rows:
                if name.startswith("samples_p") and len(name) == len("samples_p2000_01"):
                    self._known.add((int(name[9:13]), int(name[14:16])))
        return self._known

    def _create(self, conn: psycopg.Connection[Any], month: Month) -> None:
        start = datetime(month[0], month[1], 1, tzinfo=UTC)
        end_month = next_month(month)
        end = datetime(end_month[0], end_month[1], 1, tzinfo=UTC)
        name = sql.Identifier(partition_name(month))
        bounds = sql.SQL("FOR VALUES FROM ({}) TO ({})").format(
            sql.Literal(start.isoformat()), sql.Literal(end.isoformat())
        )
        try:
            with conn.transaction():
                stray = conn.execute(
                    "SELECT 1 FROM samples_default WHERE ts >= %s AND ts < %s LIMIT 1",
                    (start, end),
                ).fetchone()
                if stray is None:
                    conn.execute(
                        sql.SQL("CREATE TABLE IF NOT EXISTS {} PARTITION OF samples {}").format(
                            name, bounds
                        )
                    )
                else:
                    self._move_from_default(conn, name, bounds, start, end)
        except psycopg.errors.DuplicateTable:
            pass  # another projector created it a moment ago
        log.info("samples partition ready", extra={"partition": partition_name(month)})

    @staticmethod
    def _move_from_default(
        conn: psycopg.Connection[Any],
        name: sql.Identifier,
        bounds: sql.Composed,
        start: datetime,
        end: datetime,
    ) -> None:
        conn.execute(
            sql.SQL(
                "CREATE TABLE {} (LIKE samples INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            ).format(name)
        )
        conn.execute(
            sql.SQL(
                "WITH moved AS (DELETE FROM samples_default WHERE ts >= %s AND ts < %s"
                " RETURNING *) INSERT INTO {} SELECT * FROM moved"
            ).format(name),
            (start, end),
        )
        conn.execute(sql.SQL("ALTER TABLE samples ATTACH PARTITION {} {}").format(name, bounds))
