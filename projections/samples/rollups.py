"""Minute and day rollups on plain PostgreSQL, recomputed from their source rows in the
transaction that changed those rows (on TimescaleDB continuous aggregates do this instead).

A touched bucket is deleted and recomputed from scratch, which is idempotent and also right
when rows change or disappear (late readings, a discarded session). A minute reads at most 60
samples; a day reads the minute rollups of that athlete's day. TSS of a day is the sum, over
the day's sessions, of ``sqrt(power_seconds * np4_sum) / (36 * FTP^2)`` (each session has its
own NP and FTP), which is what the TimescaleDB flavour's `daily_rollups` view computes too.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

import psycopg

MINUTE_S = 60
DAY_S = 86_400

# Floating-point sums depend on the order of their terms: every sum is ordered, so that a
# rebuild (other batches, other physical row order) gives bit-identical rollups.
_RECOMPUTE_MINUTES = """
INSERT INTO minute_rollups (session_id, bucket, athlete_id, ftp_w, seconds, power_seconds,
    work_kj, avg_power_w, max_power_w, np4_sum, tss, hr_seconds, avg_hr_bpm, max_hr_bpm,
    avg_cadence_rpm, avg_speed_kmh, min_distance_m, max_distance_m)
SELECT s.session_id, to_timestamp(k.minute), s.athlete_id, max(s.ftp_w),
    count(*)::integer, count(s.power_w)::integer,
    sum(s.power_w::float8 ORDER BY s.ts) / 1000.0, avg(s.power_w::float8 ORDER BY s.ts),
    max(s.power_w::float8),
    sum(s.power_30s_w::float8 ^ 4 ORDER BY s.ts),
    sqrt(count(s.power_w) * sum(s.power_30s_w::float8 ^ 4 ORDER BY s.ts))
        / (36.0 * max(s.ftp_w)::float8 ^ 2),
    count(s.heart_rate_bpm)::integer, avg(s.heart_rate_bpm::float8 ORDER BY s.ts),
    max(s.heart_rate_bpm::float8), avg(s.cadence_rpm::float8 ORDER BY s.ts),
    avg(s.speed_kmh::float8 ORDER BY s.ts), min(s.distance_m), max(s.distance_m)
FROM unnest(%s::uuid[], %s::bigint[]) AS k(session_id, minute)
JOIN samples s ON s.session_id = k.session_id
    AND s.ts >= to_timestamp(k.minute) AND s.ts < to_timestamp(k.minute + 60)
GROUP BY s.session_id, k.minute, s.athlete_id
"""

_RECOMPUTE_DAYS = """
INSERT INTO daily_rollups (athlete_id, day, sessions, seconds, power_seconds, work_kj,
    avg_power_w, max_power_w, tss, hr_seconds, avg_hr_bpm, max_hr_bpm, distance_m)
SELECT athlete_id, day, count(*)::integer, sum(seconds)::integer, sum(power_seconds)::integer,
    sum(work_kj ORDER BY session_id),
    sum(work_kj ORDER BY session_id) * 1000.0 / nullif(sum(power_seconds), 0),
    max(max_power_w), sum(tss ORDER BY session_id), sum(hr_seconds)::integer,
    sum(hr_sum ORDER BY session_id) / nullif(sum(hr_seconds), 0),
    max(max_hr_bpm), sum(distance_m ORDER BY session_id)
FROM (
    SELECT k.athlete_id, k.day, m.session_id,
        sum(m.seconds) AS seconds, sum(m.power_seconds) AS power_seconds,
        sum(m.work_kj ORDER BY m.bucket) AS work_kj, max(m.max_power_w) AS max_power_w,
        sqrt(sum(m.power_seconds) * sum(m.np4_sum ORDER BY m.bucket))
            / (36.0 * max(m.ftp_w)::float8 ^ 2) AS tss,
        sum(m.hr_seconds) AS hr_seconds,
        sum(m.avg_hr_bpm * m.hr_seconds ORDER BY m.bucket) AS hr_sum,
        max(m.max_hr_bpm) AS max_hr_bpm,
        max(m.max_distance_m) - min(m.min_distance_m) AS distance_m
    FROM unnest(%s::uuid[], %s::date[]) AS k(athlete_id, day)
    JOIN minute_rollups m ON m.athlete_id = k.athlete_id
        AND m.bucket >= (k.day::timestamp AT TIME ZONE 'UTC')
        AND m.bucket < ((k.day + 1)::timestamp AT TIME ZONE 'UTC')
    GROUP BY k.athlete_id, k.day, m.session_id
) AS per_session
GROUP BY athlete_id, day
"""


def minute_of(second: int) -> int:
    return second - second % MINUTE_S


def day_of(second: int) -> date:
    return date.fromordinal(date(1970, 1, 1).toordinal() + second // DAY_S)


def recompute_minutes(conn: psycopg.Connection[Any], keys: Iterable[tuple[UUID, int]]) -> None:
    wanted = sorted(set(keys))
    if not wanted:
        return
    params = ([k[0] for k in wanted], [k[1] for k in wanted])
    conn.execute(
        "DELETE FROM minute_rollups m USING unnest(%s::uuid[], %s::bigint[]) AS k(session_id,"
        " minute) WHERE m.session_id = k.session_id AND m.bucket = to_timestamp(k.minute)",
        params,
    )
    conn.execute(_RECOMPUTE_MINUTES, params)


def delete_session_minutes(conn: psycopg.Connection[Any], ids: list[UUID]) -> None:
    if ids:
        conn.execute("DELETE FROM minute_rollups WHERE session_id = ANY(%s)", (ids,))


def recompute_days(conn: psycopg.Connection[Any], keys: Iterable[tuple[UUID, date]]) -> None:
    wanted = sorted(set(keys))
    if not wanted:
        return
    params = ([k[0] for k in wanted], [k[1] for k in wanted])
    conn.execute(
        "DELETE FROM daily_rollups d USING unnest(%s::uuid[], %s::date[]) AS k(athlete_id, day)"
        " WHERE d.athlete_id = k.athlete_id AND d.day = k.day",
        params,
    )
    conn.execute(_RECOMPUTE_DAYS, params)
