"""SQL of the samples projection: session state, bins and 1 Hz rows, many sessions per query.

Seconds travel as epoch seconds (bigint) and become timestamps in SQL (`to_timestamp`), and
rows go in as one array per column through `unnest`, so a batch costs a handful of statements
whatever the number of sessions in it. Names are unqualified: the connection's search_path
decides which copy of the tables is written (the live one, or a rebuild's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson
import psycopg

from projections.samples.readings import CHANNELS, Bin

ROLLING = "power_30s_w"
RR = "rr_ms"
ROW_COLUMNS: tuple[str, ...] = (*CHANNELS, ROLLING)
_COLUMN_TYPES: dict[str, str] = {
    "distance_m": "float8",
    "latitude_deg": "float8",
    "longitude_deg": "float8",
}

Row = dict[str, Any]  # ROW_COLUMNS -> float | None, and RR -> tuple[float, ...] | None
Range = tuple[UUID, int, int]


@dataclass
class SessionState:
    session_id: UUID
    athlete_id: UUID
    ftp_w: int
    status: str
    has_power: bool = False
    imported: bool = False
    first_second: int | None = None
    last_second: int | None = None

    def widen(self, lo: int, hi: int) -> None:
        self.first_second = lo if self.first_second is None else min(self.first_second, lo)
        self.last_second = hi if self.last_second is None else max(self.last_second, hi)


def load_states(conn: psycopg.Connection[Any], ids: Iterable[UUID]) -> dict[UUID, SessionState]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = conn.execute(
        "SELECT session_id, athlete_id, ftp_w, status, has_power, imported, first_second,"
        " last_second FROM samples_sessions WHERE session_id = ANY(%s)",
        (wanted,),
    ).fetchall()
    return {row[0]: SessionState(*row) for row in rows}


def save_states(conn: psycopg.Connection[Any], states: Sequence[SessionState]) -> None:
    if not states:
        return
    conn.execute(
        "INSERT INTO samples_sessions (session_id, athlete_id, ftp_w, status, has_power,"
        " imported, first_second, last_second)"
        " SELECT * FROM unnest(%s::uuid[], %s::uuid[], %s::smallint[], %s::text[],"
        " %s::bool[], %s::bool[], %s::bigint[], %s::bigint[])"
        " ON CONFLICT (session_id) DO UPDATE SET status = EXCLUDED.status,"
        " has_power = EXCLUDED.has_power, imported = EXCLUDED.imported,"
        " first_second = EXCLUDED.first_second, last_second = EXCLUDED.last_second",
        (
            [s.session_id for s in states],
            [s.athlete_id for s in states],
            [s.ftp_w for s in states],
            [s.status for s in states],
            [s.has_power for s in states],
            [s.imported for s in states],
            [s.first_second for s in states],
            [s.last_second for s in states],
        ),
    )


def load_bins(conn: psycopg.Connection[Any], ranges: Sequence[Range]) -> dict[UUID, dict[int, Bin]]:
    found: dict[UUID, dict[int, Bin]] = {}
    if not ranges:
        return found
    ids, los, his = _columns(ranges)
    rows = conn.execute(
        "SELECT b.session_id, b.second, b.readings::text"
        " FROM unnest(%b::uuid[], %b::bigint[], %b::bigint[]) AS r(session_id, lo, hi)"
        " JOIN sample_bins b ON b.session_id = r.session_id AND b.second BETWEEN r.lo AND r.hi",
        (ids, los, his),
    ).fetchall()
    for session_id, second, readings in rows:
        found.setdefault(session_id, {})[second] = Bin.from_json(orjson.loads(readings))
    return found


def save_bins(conn: psycopg.Connection[Any], bins: Sequence[tuple[UUID, int, Bin]]) -> None:
    if not bins:
        return
    conn.execute(
        "INSERT INTO sample_bins (session_id, second, readings)"
        " SELECT session_id, second, readings::jsonb"
        " FROM unnest(%b::uuid[], %b::bigint[], %b::text[]) AS u(session_id, second, readings)"
        " ON CONFLICT (session_id, second) DO UPDATE SET readings = EXCLUDED.readings",
        (
            [b[0] for b in bins],
            [b[1] for b in bins],
            [orjson.dumps(b[2].to_json()).decode() for b in bins],
        ),
    )


def sessions_with_bins(conn: psycopg.Connection[Any], ids: Sequence[UUID]) -> set[UUID]:
    if not ids:
        return set()
    rows = conn.execute(
        "SELECT DISTINCT session_id FROM sample_bins WHERE session_id = ANY(%s)", (list(ids),)
    ).fetchall()
    return {row[0] for row in rows}


def delete_bins(conn: psycopg.Connection[Any], ids: Sequence[UUID]) -> None:
    if ids:
        conn.execute("DELETE FROM sample_bins WHERE session_id = ANY(%s)", (list(ids),))


_SELECT_ROW = ", ".join(f"s.{c}" for c in (*ROW_COLUMNS, RR))


def load_rows(conn: psycopg.Connection[Any], ranges: Sequence[Range]) -> dict[UUID, dict[int, Row]]:
    found: dict[UUID, dict[int, Row]] = {}
    if not ranges:
        return found
    ids, los, his = _columns(ranges)
    rows = conn.execute(
        f"SELECT s.session_id, extract(epoch FROM s.ts)::bigint, {_SELECT_ROW}"
        " FROM unnest(%s::uuid[], %s::bigint[], %s::bigint[]) AS r(session_id, lo, hi)"
        " JOIN samples s ON s.session_id = r.session_id"
        " AND s.ts BETWEEN to_timestamp(r.lo) AND to_timestamp(r.hi)",
        (ids, los, his),
    ).fetchall()
    for session_id, second, *values in rows:
        row: Row = dict(zip(ROW_COLUMNS, values[:-1], strict=True))
        row[RR] = tuple(values[-1]) if values[-1] is not None else None
        found.setdefault(session_id, {})[second] = row
    return found


def load_powers_before(
    conn: psycopg.Connection[Any], starts: Sequence[tuple[UUID, int]], count: int
) -> dict[UUID, list[float]]:
    """The last ``count`` power values before each second, oldest first."""
    found: dict[UUID, list[tuple[int, float]]] = {}
    if starts and count > 0:
        rows = conn.execute(
            "SELECT r.session_id, p.second, p.power_w"
            " FROM unnest(%s::uuid[], %s::bigint[]) AS r(session_id, lo)"
            " CROSS JOIN LATERAL (SELECT extract(epoch FROM s.ts)::bigint AS second, s.power_w"
            "  FROM samples s WHERE s.session_id = r.session_id AND s.ts < to_timestamp(r.lo)"
            "  AND s.power_w IS NOT NULL ORDER BY s.ts DESC LIMIT %s) AS p",
            ([s[0] for s in starts], [s[1] for s in starts], count),
        ).fetchall()
        for session_id, second, power in rows:
            found.setdefault(session_id, []).append((second, power))
    return {sid: [p for _, p in sorted(pairs)] for sid, pairs in found.items()}


def load_powers_after(
    conn: psycopg.Connection[Any], ends: Sequence[tuple[UUID, int]], count: int
) -> dict[UUID, list[tuple[int, float, float | None]]]:
    """The first ``count`` (second, power, rolling power) after each second, in order."""
    found: dict[UUID, list[tuple[int, float, float | None]]] = {}
    if ends and count > 0:
        rows = conn.execute(
            "SELECT r.session_id, p.second, p.power_w, p.power_30s_w"
            " FROM unnest(%s::uuid[], %s::bigint[]) AS r(session_id, hi)"
            " CROSS JOIN LATERAL (SELECT extract(epoch FROM s.ts)::bigint AS second,"
            "  s.power_w, s.power_30s_w FROM samples s WHERE s.session_id = r.session_id"
            "  AND s.ts > to_timestamp(r.hi) AND s.power_w IS NOT NULL"
            "  ORDER BY s.ts LIMIT %s) AS p",
            ([e[0] for e in ends], [e[1] for e in ends], count),
        ).fetchall()
        for session_id, second, power, rolling in rows:
            found.setdefault(session_id, []).append((second, power, rolling))
    return {sid: sorted(items) for sid, items in found.items()}


_INSERT_COLUMNS = ("session_id", "ts", "athlete_id", "ftp_w", *ROW_COLUMNS, RR)
_UNNEST_TYPES = ", ".join(
    ["%b::uuid[]", "%b::bigint[]", "%b::uuid[]", "%b::smallint[]"]
    + [f"%b::{_COLUMN_TYPES.get(c, 'float4')}[]" for c in ROW_COLUMNS]
    + ["%b::text[]"]
)
_UNNEST_NAMES = ", ".join(["session_id", "second", "athlete_id", "ftp_w", *ROW_COLUMNS, "rr"])
_UPSERT_ROWS = (
    f"INSERT INTO samples ({', '.join(_INSERT_COLUMNS)})"
    f" SELECT session_id, to_timestamp(second), athlete_id, ftp_w,"
    f" {', '.join(ROW_COLUMNS)}, rr::real[]"
    f" FROM unnest({_UNNEST_TYPES}) AS u({_UNNEST_NAMES})"
    " ON CONFLICT (session_id, ts) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in (*ROW_COLUMNS, RR))
)


def upsert_rows(
    conn: psycopg.Connection[Any], rows: Sequence[tuple[SessionState, int, Row]]
) -> None:
    if not rows:
        return
    params: list[list[Any]] = [
        [state.session_id for state, _, _ in rows],
        [second for _, second, _ in rows],
        [state.athlete_id for state, _, _ in rows],
        [state.ftp_w for state, _, _ in rows],
    ]
    params.extend([row[column] for _, _, row in rows] for column in ROW_COLUMNS)
    params.append([_array_literal(row.get(RR)) for _, _, row in rows])
    conn.execute(_UPSERT_ROWS, params)


def delete_rows(conn: psycopg.Connection[Any], keys: Sequence[tuple[UUID, int]]) -> None:
    if keys:
        conn.execute(
            "DELETE FROM samples s USING unnest(%s::uuid[], %s::bigint[]) AS k(session_id, second)"
            " WHERE s.session_id = k.session_id AND s.ts = to_timestamp(k.second)",
            ([k[0] for k in keys], [k[1] for k in keys]),
        )


def update_rolling(
    conn: psycopg.Connection[Any], updates: Sequence[tuple[UUID, int, float | None]]
) -> None:
    if updates:
        conn.execute(
            "UPDATE samples s SET power_30s_w = u.rolling"
            " FROM unnest(%s::uuid[], %s::bigint[], %s::float4[]) AS u(session_id, second, rolling)"
            " WHERE s.session_id = u.session_id AND s.ts = to_timestamp(u.second)",
            ([u[0] for u in updates], [u[1] for u in updates], [u[2] for u in updates]),
        )


def delete_session_rows(conn: psycopg.Connection[Any], ids: Sequence[UUID]) -> None:
    if ids:
        conn.execute("DELETE FROM samples WHERE session_id = ANY(%s)", (list(ids),))


def _columns(ranges: Sequence[Range]) -> tuple[list[UUID], list[int], list[int]]:
    return [r[0] for r in ranges], [r[1] for r in ranges], [r[2] for r in ranges]


def _array_literal(values: Sequence[float] | None) -> str | None:
    if not values:
        return None
    return "{" + ",".join(repr(float(v)) for v in values) + "}"
