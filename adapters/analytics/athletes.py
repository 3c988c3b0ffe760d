"""Per-athlete analytics from the rollups and summaries (never from the 1 Hz samples).

- `period_summaries` (weekly / monthly): time, work, TSS, heart rate, distance from the
  minute rollups in the rider's days, ride counts and moving time from the summaries;
- `fitness_chart`: CTL/ATL/TSB by day from `athlete_fitness`, extended by decay to the end
  (the rider's today unless given);
- `best_efforts`: the best mean power of standard durations over a date range, with the ride;
- `power_curve`: the best mean power of every grid duration (all-time or over a range).
Dates are the rider's days, in the athlete's IANA zone (`athlete_time_zones`, UTC when
unset); every function returns plain JSON-ready values.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg

from adapters.analytics.values import plain
from domain.metrics.curve_grid import CURVE_GRID_S
from domain.metrics.fitness import fitness_by_day

PERIODS = frozenset({"week", "month"})
BEST_EFFORT_DURATIONS_S: tuple[int, ...] = (5, 60, 300, 1200, 3600)
_EVER = (date(1970, 1, 1), date(9999, 12, 31))

# The rider's days come from the minute rollups bucketed in the athlete's zone at query time
# (a minute never straddles a local midnight, half-hour and 45-minute zones included); per
# session and local day as `daily_rollups` does per UTC day, TSS from each session's NP.
# The per-minute sums are unordered: an ordered aggregate sorts every minute row (3x the
# time, docs/benchmarks.md); the floating-point sums may then differ in the last bits.
_ZONE_SQL = (
    "SELECT coalesce((SELECT time_zone FROM athlete_time_zones WHERE athlete_id = %s), 'UTC')"
)
_PERIODS_SQL = """
WITH session_days AS (
    SELECT session_id, (bucket AT TIME ZONE %(zone)s)::date AS day, max(ftp_w) AS ftp_w,
        sum(seconds) AS seconds, sum(power_seconds) AS power_seconds,
        sum(work_kj) AS work_kj, max(max_power_w) AS max_power_w,
        sum(np4_sum) AS np4_sum, sum(hr_seconds) AS hr_seconds,
        sum(avg_hr_bpm * hr_seconds) AS hr_sum,
        max(max_distance_m) - min(min_distance_m) AS distance_m
    FROM minute_rollups
    WHERE athlete_id = %(athlete)s AND bucket >= (%(start)s::timestamp AT TIME ZONE %(zone)s)
        AND bucket < ((%(end)s::date + 1)::timestamp AT TIME ZONE %(zone)s)
    GROUP BY session_id, 2
), ridden AS (
    SELECT date_trunc(%(period)s, day::timestamp)::date AS period_start,
        count(*)::integer AS sessions, sum(seconds)::integer AS seconds,
        sum(power_seconds)::integer AS power_seconds, sum(work_kj ORDER BY day, session_id)
            AS work_kj,
        max(max_power_w) AS max_power_w,
        sum(sqrt(power_seconds * np4_sum) / (36.0 * ftp_w::float8 ^ 2) ORDER BY day, session_id)
            AS tss,
        sum(hr_seconds)::integer AS hr_seconds, sum(hr_sum ORDER BY day, session_id) AS hr_sum,
        sum(distance_m ORDER BY day, session_id) AS distance_m
    FROM session_days
    GROUP BY 1
), rides AS (
    SELECT date_trunc(%(period)s, ride_day::timestamp)::date AS period_start,
        count(*)::integer AS rides, sum(moving_time_s)::integer AS moving_time_s
    FROM session_summaries
    WHERE athlete_id = %(athlete)s AND status = 'finished'
        AND ride_day BETWEEN %(start)s AND %(end)s
    GROUP BY 1
)
SELECT coalesce(r.period_start, s.period_start), coalesce(s.rides, 0),
    coalesce(r.sessions, 0), coalesce(r.seconds, 0), s.moving_time_s, r.work_kj,
    r.work_kj * 1000.0 / nullif(r.power_seconds, 0), r.max_power_w, r.tss,
    r.hr_sum / nullif(r.hr_seconds, 0), r.distance_m
FROM ridden r FULL JOIN rides s ON s.period_start = r.period_start
ORDER BY 1
"""
_PERIOD_COLUMNS = (
    "period_start", "rides", "sessions", "seconds", "moving_time_s", "work_kj", "avg_power_w",
    "max_power_w", "tss", "avg_hr_bpm", "distance_m",
)  # fmt: skip


class AnalyticsError(ValueError):
    """A query's arguments cannot be answered (unknown period, duration off the grid...)."""


def time_zone(conn: psycopg.Connection[Any], athlete_id: UUID) -> str:
    """The IANA zone the athlete's days are counted in (UTC until one is set)."""
    row = conn.execute(_ZONE_SQL, (athlete_id,)).fetchone()
    return "UTC" if row is None else str(row[0])


def today(conn: psycopg.Connection[Any], athlete_id: UUID) -> date:
    """The athlete's calendar day now, in their zone."""
    return datetime.now(ZoneInfo(time_zone(conn, athlete_id))).date()


def period_summaries(
    conn: psycopg.Connection[Any],
    athlete_id: UUID,
    period: str,
    start: date | None = None,
    end: date | None = None,
) -> list[dict[str, Any]]:
    if period not in PERIODS:
        raise AnalyticsError(f"period must be one of {sorted(PERIODS)}, got {period!r}")
    rows = conn.execute(
        _PERIODS_SQL,
        {
            "period": period,
            "zone": time_zone(conn, athlete_id),
            "athlete": athlete_id,
            "start": start or _EVER[0],
            "end": end or _EVER[1],
        },
    ).fetchall()
    return [
        {name: plain(value) for name, value in zip(_PERIOD_COLUMNS, row, strict=True)}
        for row in rows
    ]


def weekly_summaries(
    conn: psycopg.Connection[Any],
    athlete_id: UUID,
    start: date | None = None,
    end: date | None = None,
) -> list[dict[str, Any]]:
    return period_summaries(conn, athlete_id, "week", start, end)


def monthly_summaries(
    conn: psycopg.Connection[Any],
    athlete_id: UUID,
    start: date | None = None,
    end: date | None = None,
) -> list[dict[str, Any]]:
    return period_summaries(conn, athlete_id, "month", start, end)


def fitness_chart(
    conn: psycopg.Connection[Any],
    athlete_id: UUID,
    start: date | None = None,
    end: date | None = None,
) -> list[dict[str, Any]]:
    """One entry per day from the eve of the first ride (or ``start``) to ``end`` (default:
    the rider's today): TSS, CTL, ATL, TSB; days after the last ride decay.

    The eve holds GoldenCheetah's starting state (all 0), so that one ride draws a line."""
    end = end or today(conn, athlete_id)
    first, last = start or _EVER[0], end
    rows = conn.execute(
        "SELECT day, tss, ctl, atl, tsb FROM athlete_fitness"
        " WHERE athlete_id = %s AND day BETWEEN %s AND %s ORDER BY day",
        (athlete_id, first, last),
    ).fetchall()
    chart = [
        {"day": day.isoformat(), "tss": tss, "ctl": ctl, "atl": atl, "tsb": tsb}
        for day, tss, ctl, atl, tsb in rows
    ]
    first_ride = conn.execute(
        "SELECT min(day) FROM athlete_fitness WHERE athlete_id = %s", (athlete_id,)
    ).fetchone()
    if first_ride is not None and first_ride[0] is not None:
        eve = first_ride[0] - timedelta(days=1)
        if first <= eve < last:
            chart.insert(
                0, {"day": eve.isoformat(), "tss": 0.0, "ctl": 0.0, "atl": 0.0, "tsb": 0.0}
            )
    latest = conn.execute(
        "SELECT day, ctl, atl FROM athlete_fitness WHERE athlete_id = %s AND day <= %s"
        " ORDER BY day DESC LIMIT 1",
        (athlete_id, end),
    ).fetchone()
    if latest is None or latest[0] >= end:
        return chart
    decay = fitness_by_day(
        {},
        start=latest[0] + timedelta(days=1),
        end=end,
        initial_ctl=latest[1],
        initial_atl=latest[2],
    )
    chart.extend(
        {"day": d.day.isoformat(), "tss": 0.0, "ctl": d.ctl, "atl": d.atl, "tsb": d.tsb}
        for d in decay
        if d.day >= first
    )
    return chart


def best_efforts(
    conn: psycopg.Connection[Any],
    athlete_id: UUID,
    start: date | None = None,
    end: date | None = None,
    durations_s: Sequence[int] = BEST_EFFORT_DURATIONS_S,
) -> list[dict[str, Any]]:
    """For each duration, the best mean power in the range and the ride that holds it."""
    indexes = []
    for duration in durations_s:
        if duration not in CURVE_GRID_S:
            raise AnalyticsError(f"{duration} s is not a duration of the power-curve grid")
        indexes.append(CURVE_GRID_S.index(duration) + 1)
    rows = conn.execute(
        "SELECT DISTINCT ON (d.i) d.i, s.curve_w[d.i], s.session_id, s.ride_day"
        " FROM session_summaries s CROSS JOIN unnest(%s::int[]) AS d(i)"
        " WHERE s.athlete_id = %s AND s.status = 'finished' AND s.ride_day BETWEEN %s AND %s"
        " AND s.curve_w[d.i] IS NOT NULL ORDER BY d.i, s.curve_w[d.i] DESC, s.ride_day",
        (indexes, athlete_id, start or _EVER[0], end or _EVER[1]),
    ).fetchall()
    return [
        {
            "duration_s": CURVE_GRID_S[i - 1],
            "watts": watts,
            "session_id": str(session_id),
            "day": day.isoformat(),
        }
        for i, watts, session_id, day in rows
    ]


def power_curve(
    conn: psycopg.Connection[Any],
    athlete_id: UUID,
    start: date | None = None,
    end: date | None = None,
) -> dict[str, Any]:
    """The athlete's mean-max curve over the range (all time by default), with its rides."""
    rows = conn.execute(
        "SELECT DISTINCT ON (g.i) g.i, g.w, s.session_id, s.ride_day"
        " FROM session_summaries s CROSS JOIN LATERAL unnest(s.curve_w) WITH ORDINALITY AS g(w, i)"
        " WHERE s.athlete_id = %s AND s.status = 'finished' AND s.ride_day BETWEEN %s AND %s"
        " ORDER BY g.i, g.w DESC, s.ride_day",
        (athlete_id, start or _EVER[0], end or _EVER[1]),
    ).fetchall()
    return {
        "athlete_id": str(athlete_id),
        "durations_s": [CURVE_GRID_S[i - 1] for i, _, _, _ in rows],
        "watts": [w for _, w, _, _ in rows],
        "session_ids": [str(s) for _, _, s, _ in rows],
        "days": [d.isoformat() for _, _, _, d in rows],
    }
