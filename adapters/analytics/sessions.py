"""Per-session analytics: summary, 1 s series, per-minute series, power curve, zones.

Every function takes an open psycopg connection and a session id and returns plain dicts
(JSON-ready), or None when the session is unknown. Series are columnar (one list per column,
times as epoch seconds), which is what charts want and is compact on the wire.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg

from adapters.analytics.values import plain, plain_row
from domain.metrics.curve_grid import CURVE_GRID_S
from domain.metrics.wbal import wbal_at_seconds

SERIES_COLUMNS: tuple[str, ...] = (
    "power_w", "power_30s_w", "heart_rate_bpm", "cadence_rpm", "speed_kmh", "distance_m",
    "altitude_m", "temperature_c", "power_balance_pct", "latitude_deg", "longitude_deg",
)  # fmt: skip
MINUTE_COLUMNS: tuple[str, ...] = (
    "seconds", "power_seconds", "work_kj", "avg_power_w", "max_power_w", "tss", "hr_seconds",
    "avg_hr_bpm", "max_hr_bpm", "avg_cadence_rpm", "avg_speed_kmh", "min_distance_m",
    "max_distance_m",
)  # fmt: skip
_SUMMARY_HIDDEN = frozenset({"curve_w"})


def session_summary(conn: psycopg.Connection[Any], session_id: UUID) -> dict[str, Any] | None:
    cursor = conn.execute("SELECT * FROM session_summaries WHERE session_id = %s", (session_id,))
    row = cursor.fetchone()
    if row is None:
        return None
    columns = [d.name for d in cursor.description or ()]
    summary = plain_row(columns, row)
    for hidden in _SUMMARY_HIDDEN:
        summary.pop(hidden, None)
    return summary


def session_series(
    conn: psycopg.Connection[Any],
    session_id: UUID,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dict[str, Any]:
    """The 1 Hz rows (optionally between two times), one list per column; `t` in epoch s;
    `wbal_j` the W' balance at each row (whole rides only)."""
    rows = conn.execute(
        f"SELECT extract(epoch FROM ts)::bigint, {', '.join(SERIES_COLUMNS)} FROM samples"
        " WHERE session_id = %s AND ts >= coalesce(%s, '-infinity'::timestamptz)"
        " AND ts <= coalesce(%s, 'infinity'::timestamptz) ORDER BY ts",
        (session_id, start, end),
    ).fetchall()
    series: dict[str, Any] = {"session_id": str(session_id), "t": [r[0] for r in rows]}
    for index, name in enumerate(SERIES_COLUMNS, start=1):
        series[name] = [r[index] for r in rows]
    whole = start is None and end is None  # W'bal depends on everything ridden before
    series["wbal_j"] = (
        _wbal_series(conn, session_id, series["t"], series["power_w"]) if whole else None
    )
    return series


def _wbal_series(
    conn: psycopg.Connection[Any], session_id: UUID, seconds: list[int], power: list[Any]
) -> list[float] | None:
    """W'bal at each row, with the CP and W' the summary used (so its lowest value is the
    summary's `wbal_min_j`); None until summarised, or when the ride has no power."""
    row = conn.execute(
        "SELECT cp_w, w_prime_j FROM session_summaries WHERE session_id = %s", (session_id,)
    ).fetchone()
    if row is None or row[0] is None or row[1] is None:
        return None
    watts = [None if w is None else float(w) for w in power]
    if all(w is None for w in watts):
        return None
    balance = wbal_at_seconds(seconds, watts, float(row[0]), float(row[1]))
    return [round(j, 1) for j in balance]


def session_minutes(conn: psycopg.Connection[Any], session_id: UUID) -> dict[str, Any]:
    """Per-minute rollups of the session; `t` is each minute's start in epoch seconds."""
    rows = conn.execute(
        f"SELECT extract(epoch FROM bucket)::bigint, {', '.join(MINUTE_COLUMNS)}"
        " FROM minute_rollups WHERE session_id = %s ORDER BY bucket",
        (session_id,),
    ).fetchall()
    minutes: dict[str, Any] = {"session_id": str(session_id), "t": [r[0] for r in rows]}
    for index, name in enumerate(MINUTE_COLUMNS, start=1):
        minutes[name] = [plain(r[index]) for r in rows]
    return minutes


def session_power_curve(conn: psycopg.Connection[Any], session_id: UUID) -> dict[str, Any] | None:
    """Best mean power for each duration of the curve grid, up to the ride's length."""
    row = conn.execute(
        "SELECT curve_w FROM session_summaries WHERE session_id = %s", (session_id,)
    ).fetchone()
    if row is None:
        return None
    watts = list(row[0] or [])
    return {
        "session_id": str(session_id),
        "durations_s": list(CURVE_GRID_S[: len(watts)]),
        "watts": watts,
    }


def session_zones(conn: psycopg.Connection[Any], session_id: UUID) -> dict[str, Any] | None:
    """Time in power zones (Coggan, from the ride's CP) and heart-rate zones (if known)."""
    row = conn.execute(
        "SELECT ftp_w, threshold_hr_bpm, time_in_power_zones, time_in_hr_zones"
        " FROM session_summaries WHERE session_id = %s",
        (session_id,),
    ).fetchone()
    if row is None:
        return None
    return {
        "session_id": str(session_id),
        "ftp_w": row[0],
        "threshold_hr_bpm": row[1],
        "power": row[2],
        "heart_rate": row[3],
    }
