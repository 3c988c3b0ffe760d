"""TimescaleDB flavour: continuous aggregates that keep their history when retention drops
the 1 Hz samples.

TimescaleDB invalidates the region of a dropped chunk, and the next refresh that covers it
recomputes those buckets from the (now missing) raw rows: the rollups would be erased. So:

- the refresh policies reach back only `POLICY_WINDOW` (db/migrations/timescale), and the
  retention horizon must lie further back than that, with a chunk to spare
  (`MIN_RETENTION_DAYS`);
- samples written older than `EXPLICIT_AFTER` (imported rides, late samples of old
  sessions, discarded sessions) are outside what the policies will see: the projector
  records their range in `rollup_refresh_requests`, in the batch's own transaction, and
  `settle` refreshes each range explicitly after the commit (refresh_continuous_aggregate
  cannot run inside a transaction block), clipped to the retention horizon, then deletes
  the request. A crash in between leaves the request for the next call: at least once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus

log = logging.getLogger(__name__)

# Must match start_offset of the refresh policies in db/migrations/timescale.
POLICY_WINDOW = timedelta(days=7)
# Changes older than this get an explicit refresh (a day of margin inside the window).
EXPLICIT_AFTER = POLICY_WINDOW - timedelta(days=1)
# The retention horizon lies beyond the policy window plus one 7-day chunk.
MIN_RETENTION_DAYS = 14
AGGREGATES = (
    ("minute_rollups", timedelta(minutes=1)),
    ("daily_session_rollups", timedelta(days=1)),
)


def request_if_old(
    conn: psycopg.Connection[Any], first_second: int, last_second: int, now: datetime | None = None
) -> None:
    """Records [first, last] for an explicit refresh when it starts outside the policies' window."""
    now = now or datetime.now(UTC)
    lo = datetime.fromtimestamp(first_second, UTC)
    if lo >= now - EXPLICIT_AFTER:
        return
    hi = datetime.fromtimestamp(last_second + 1, UTC)
    conn.execute("INSERT INTO rollup_refresh_requests (lo, hi) VALUES (%s, %s)", (lo, hi))


def settle(conn: psycopg.Connection[Any]) -> int:
    """Refreshes the requested ranges (autocommit connection, outside any transaction)."""
    if conn.info.transaction_status != TransactionStatus.IDLE:
        return 0  # inside the rebuild's swap: the requests move with the tables, done later
    requests = conn.execute("SELECT id, lo, hi FROM rollup_refresh_requests ORDER BY id").fetchall()
    if not requests:
        return 0
    horizon = retention_horizon(conn)
    for request_id, lo, hi in requests:
        start = lo if horizon is None else max(lo, horizon)
        if start < hi:
            for view, bucket in AGGREGATES:
                window = bucket_window(start, hi, bucket)
                conn.execute(
                    sql.SQL("CALL refresh_continuous_aggregate({}, %s, %s)").format(
                        sql.Literal(view)
                    ),
                    window,
                )
        if start > lo:
            log.warning(
                "rollups older than the samples retention are not refreshed",
                extra={"from": lo.isoformat(), "to": hi.isoformat()},
            )
        conn.execute("DELETE FROM rollup_refresh_requests WHERE id = %s", (request_id,))
    return len(requests)


def retention_horizon(
    conn: psycopg.Connection[Any], now: datetime | None = None
) -> datetime | None:
    """Where the retention policy of this schema's `samples` drops chunks (None: no policy).

    Chunks are dropped whole when they end before the horizon; their regions are
    invalidated, so nothing may refresh before it."""
    row = conn.execute(
        "SELECT (j.config->>'drop_after')::interval FROM timescaledb_information.jobs j"
        " WHERE j.proc_name = 'policy_retention' AND j.hypertable_name = 'samples'"
        " AND j.hypertable_schema = current_schema()"
    ).fetchone()
    if row is None or row[0] is None:
        return None
    drop_after: timedelta = row[0]
    return (now or datetime.now(UTC)) - drop_after


def bucket_window(lo: datetime, hi: datetime, bucket: timedelta) -> tuple[datetime, datetime]:
    """The window widened to whole buckets (buckets are aligned to the Unix epoch in UTC).

    Widening down from a horizon stays clear of dropped chunks: chunks are 7 days aligned
    to the epoch, so a dropped one ends on a UTC midnight at or before the horizon."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    start = epoch + ((lo - epoch) // bucket) * bucket
    end = epoch + -((epoch - hi) // bucket) * bucket
    return start, max(end, start + bucket)
