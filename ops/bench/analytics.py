"""Analytics from the rollups versus the same questions asked of the raw 1 Hz samples.

Generates a year of riding for one athlete (300 rides, about 1.6 million samples) straight
into the read models of a scratch database (samples by COPY; rollups, summaries and fitness
by the projection's own code), then times each analytics query (median of repeats) against
an equivalent query over `samples`. Prints one JSON line, then a table.

    .venv/bin/python ops/bench/analytics.py [--rides 300] [--repeats 7] [--keep]

The scratch database is created through WATTLOG_TEST_ADMIN_DATABASE_URL (default
postgresql://postgres@localhost:5432/postgres), used as WATTLOG_TEST_DATABASE_URL (default:
role wattlog on the same server; adapters/postgres/test_server.py) and dropped at the end
unless --keep.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson
import psycopg

from adapters.analytics import athletes, sessions
from adapters.migrations import migrate
from adapters.postgres.flavour import recorded_flavour
from adapters.postgres.test_server import (
    admin_database_url,
    application_database_url,
    requested_flavour,
)
from adapters.settings import Settings
from domain.metrics.curve import mean_max_power
from domain.metrics.curve_grid import STANDARD_DURATIONS_S
from domain.metrics.fitness import fitness_by_day
from domain.metrics.resample import Series
from domain.metrics.summary import summarize_ride
from projections.samples import rollups
from projections.samples.partitions import MonthlyPartitions
from projections.samples.window import rolling_power
from projections.summaries.fitness import recompute_fitness
from projections.summaries.ride import summary_columns

ADMIN_URL = admin_database_url()
FTP_W = 260
YEAR_START = date(2025, 1, 1)
BEST_EFFORTS = (5, 60, 300, 1200, 3600)


def generate_ride(rng: random.Random, seconds: int) -> tuple[list[float], list[float]]:
    """Power and heart rate of an interval ride: warm-up, blocks around FTP, cool-down."""
    power: list[float] = []
    heart: list[float] = []
    hr = 100.0
    block_target = 0.6 * FTP_W
    for k in range(seconds):
        if k % 600 == 0:
            block_target = FTP_W * rng.choice([0.55, 0.65, 0.75, 0.9, 1.0, 1.1])
        watts = max(0.0, rng.gauss(block_target, 25.0)) if rng.random() > 0.02 else 0.0
        hr += (90.0 + watts * 0.3 - hr) / 40.0
        power.append(round(watts))
        heart.append(round(hr))
    return power, heart


def build(
    conn: psycopg.Connection[Any], athlete: uuid.UUID, rides: int, seed: int, flavour: str
) -> int:
    rng = random.Random(seed)
    days = sorted(rng.sample(range(365), rides))
    total = 0
    if flavour == "plain":
        MonthlyPartitions().ensure(conn, {(2025, m) for m in range(1, 13)} | {(2026, 1)})
    summaries: list[tuple[uuid.UUID, datetime, Any]] = []
    with conn.cursor().copy(
        "COPY samples (session_id, ts, athlete_id, ftp_w, power_w, power_30s_w, heart_rate_bpm,"
        " cadence_rpm, speed_kmh, distance_m) FROM STDIN"
    ) as copy:
        for day in days:
            session_id = uuid.uuid4()
            start = datetime.combine(YEAR_START + timedelta(days=day), datetime.min.time(), UTC)
            start += timedelta(hours=rng.choice([6, 12, 17]))
            seconds = rng.randint(3600, 7100)
            power, heart = generate_ride(rng, seconds)
            rolling = rolling_power([], power)
            distance = 0.0
            for k in range(seconds):
                speed = 15.0 + power[k] / 12.0
                distance += speed / 3.6
                copy.write_row(
                    (
                        session_id, start + timedelta(seconds=k), athlete, FTP_W, power[k],
                        rolling[k], heart[k], 88.0, speed, distance,
                    )
                )  # fmt: skip
            total += seconds
            series = Series(
                start=start.timestamp(),
                recorded=(True,) * seconds,
                channels={"power_w": tuple(power), "heart_rate_bpm": tuple(heart)},
            )
            summaries.append((session_id, start, summarize_ride(series, ftp_w=FTP_W)))
    if flavour == "plain":  # TimescaleDB: continuous aggregates, refreshed in finish()
        keys = conn.execute(
            "SELECT DISTINCT session_id, extract(epoch FROM date_bin('1 minute', ts,"
            " TIMESTAMPTZ '2000-01-01 00:00:00+00'))::bigint FROM samples"
        ).fetchall()
        rollups.recompute_minutes(conn, [(k[0], k[1]) for k in keys])
        day_keys = conn.execute(
            "SELECT DISTINCT athlete_id, (bucket AT TIME ZONE 'UTC')::date FROM minute_rollups"
        ).fetchall()
        rollups.recompute_days(conn, [(k[0], k[1]) for k in day_keys])
    for session_id, start, summary in summaries:
        columns = summary_columns(summary)
        for key in ("time_in_power_zones", "time_in_hr_zones", "power_curve_w"):
            columns[key] = orjson.dumps(columns[key]).decode() if columns[key] else None
        names = ", ".join(columns)
        conn.execute(
            f"INSERT INTO session_summaries (session_id, athlete_id, owner_id, transport, status,"
            f" ftp_w, started_at, ended_at, first_sample_at, ride_day, {names})"
            f" VALUES (%s, %s, %s, 'desktop', 'finished', %s, %s, %s, %s, %s,"
            f" {', '.join(['%s'] * len(columns))})",
            (
                session_id, athlete, athlete, FTP_W, start,
                start + timedelta(seconds=summary.duration_s), start, start.date(),
                *columns.values(),
            ),
        )  # fmt: skip
    recompute_fitness(conn, athlete, YEAR_START)
    return total


def finish(conn: psycopg.Connection[Any], flavour: str) -> None:
    """The state production would be in (autocommit: refreshes cannot run in a transaction).

    TimescaleDB: both continuous aggregates refreshed over the whole year (the imported
    history's own range, as the projector does for old rides), and every chunk older
    than 7 days compressed, as the compression policy would have done."""
    if flavour == "timescale":
        for view in ("minute_rollups", "daily_session_rollups"):
            conn.execute(f"CALL refresh_continuous_aggregate('{view}', NULL, NULL)")
        conn.execute(
            "SELECT compress_chunk(c, if_not_compressed => TRUE)"
            " FROM show_chunks('samples', older_than => INTERVAL '7 days') c"
        )
    conn.execute("ANALYZE")


SIZES = {
    "plain": (
        "SELECT 'samples', pg_total_relation_size('samples_default') + sum("
        "pg_total_relation_size(inhrelid)) FROM pg_inherits"
        " WHERE inhparent = 'samples'::regclass UNION ALL SELECT 'minute_rollups',"
        " pg_total_relation_size('minute_rollups') UNION ALL SELECT 'daily_rollups',"
        " pg_total_relation_size('daily_rollups') UNION ALL SELECT"
        " 'session_summaries', pg_total_relation_size('session_summaries')"
    ),
    # hypertable_size counts every chunk, compressed ones included; an aggregate's rows
    # live in its materialization hypertable (daily_rollups is a view over the daily one).
    "timescale": (
        "SELECT 'samples', hypertable_size('samples') UNION ALL"
        " SELECT CASE view_name WHEN 'daily_session_rollups' THEN 'daily_rollups'"
        " ELSE view_name::text END, hypertable_size(format('%I.%I',"
        " materialization_hypertable_schema, materialization_hypertable_name)::regclass)"
        " FROM timescaledb_information.continuous_aggregates UNION ALL SELECT"
        " 'session_summaries', pg_total_relation_size('session_summaries')"
    ),
}


# Before issue 15, periods were UTC days read from `daily_rollups`: kept as the baseline of
# the rider's-days query (minute rollups bucketed in the athlete's zone at query time).
UTC_DAILY_PERIODS = """
WITH ridden AS (
    SELECT date_trunc(%(period)s, day::timestamp)::date AS period_start,
        sum(sessions)::integer AS sessions, sum(seconds)::integer AS seconds,
        sum(power_seconds)::integer AS power_seconds, sum(work_kj) AS work_kj,
        max(max_power_w) AS max_power_w, sum(tss) AS tss,
        sum(hr_seconds)::integer AS hr_seconds, sum(avg_hr_bpm * hr_seconds) AS hr_sum,
        sum(distance_m) AS distance_m
    FROM daily_rollups
    WHERE athlete_id = %(athlete)s AND day BETWEEN %(start)s AND %(end)s
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

# The same questions, asked of the raw samples.
RAW_PERIODS = """
SELECT date_trunc(%(period)s, ts AT TIME ZONE 'UTC') AS p, count(DISTINCT session_id),
    count(*), sum(power_w) / 1000.0, avg(power_w), max(power_w), avg(heart_rate_bpm),
    sum(distance_m) FILTER (WHERE false)
FROM samples WHERE athlete_id = %(athlete)s AND ts >= %(start)s AND ts < %(end)s GROUP BY 1
"""
RAW_DAILY_TSS = """
SELECT (ts AT TIME ZONE 'UTC')::date, sum(tss) FROM (
    SELECT session_id, min(ts) AS ts,
        sqrt(count(power_w) * sum(power_30s_w::float8 ^ 4)) / (36.0 * max(ftp_w)::float8 ^ 2) AS tss
    FROM samples WHERE athlete_id = %s GROUP BY session_id) AS s GROUP BY 1
"""
RAW_BEST = """
SELECT max(avg_w) FROM (
    SELECT avg(power_w) OVER (PARTITION BY session_id ORDER BY ts
        ROWS BETWEEN %s PRECEDING AND CURRENT ROW) AS avg_w
    FROM samples WHERE athlete_id = %s AND ts >= %s AND ts < %s) AS w
"""
RAW_MINUTES = """
SELECT date_bin('1 minute', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00'), count(*),
    sum(power_w) / 1000.0, avg(power_w), max(power_w), avg(heart_rate_bpm)
FROM samples WHERE session_id = %s GROUP BY 1 ORDER BY 1
"""


def raw_fitness(conn: psycopg.Connection[Any], athlete: uuid.UUID) -> Any:
    daily = dict(conn.execute(RAW_DAILY_TSS, (athlete,)).fetchall())
    return fitness_by_day({d: float(t) for d, t in daily.items()})


def raw_best(conn: psycopg.Connection[Any], athlete: uuid.UUID, start: date, end: date) -> Any:
    return [conn.execute(RAW_BEST, (d - 1, athlete, start, end)).fetchone() for d in BEST_EFFORTS]


def raw_power_curve(conn: psycopg.Connection[Any], athlete: uuid.UUID) -> Any:
    best: dict[int, float] = {}
    with conn.transaction(), conn.cursor(name="raw_curve") as cursor:
        cursor.itersize = 50_000
        cursor.execute(
            "SELECT session_id, power_w FROM samples WHERE athlete_id = %s ORDER BY session_id, ts",
            (athlete,),
        )
        current: Any = None
        power: list[float | None] = []
        for session_id, watts in [*cursor, (None, None)]:
            if session_id != current and power:
                curve = mean_max_power(power).at(STANDARD_DURATIONS_S)
                for d, w in curve.items():
                    best[d] = max(best.get(d, 0.0), w)
                power = []
            current = session_id
            power.append(watts)
    return best


def median_ms(run: Callable[[], Any], repeats: int) -> float:
    run()  # warm the caches: both sides are measured warm
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rides", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--time-zone", default="America/Los_Angeles", help="the athlete's (IANA name)"
    )
    args = parser.parse_args()
    name = f"wattlog_bench_analytics_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" OWNER wattlog')
    settings = Settings(
        database_url=application_database_url(), db_flavour=requested_flavour()
    ).with_database(name)
    try:
        migrate(settings)
        athlete = uuid.uuid4()
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            flavour = recorded_flavour(conn) or "plain"
            started = time.perf_counter()
            with conn.transaction():
                samples = build(conn, athlete, args.rides, args.seed, flavour)
            finish(conn, flavour)
            generated_s = time.perf_counter() - started
            conn.execute(
                "INSERT INTO athlete_time_zones (athlete_id, time_zone) VALUES (%s, %s)",
                (athlete, args.time_zone),
            )
            results = measure(conn, athlete, args.repeats)
            sizes = dict(conn.execute(SIZES[flavour]).fetchall())
    finally:
        if not args.keep:
            with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    report = {
        "benchmark": "analytics",
        "flavour": flavour,
        "time_zone": args.time_zone,
        "rides": args.rides,
        "samples": samples,
        "generate_s": round(generated_s, 1),
        "repeats": args.repeats,
        "bytes": {k: int(v) for k, v in sizes.items()},
        "queries": results,
    }
    print(orjson.dumps(report).decode())
    print(f"\n{'query':<28}{'read models ms':>16}{'raw samples ms':>16}{'speed-up':>10}")
    for query, (fast, slow) in results.items():
        print(f"{query:<28}{fast:>16.1f}{slow:>16.1f}{slow / fast:>9.0f}x")
    return 0


def measure(
    conn: psycopg.Connection[Any], athlete: uuid.UUID, repeats: int
) -> dict[str, tuple[float, float]]:
    year = (YEAR_START, YEAR_START + timedelta(days=365))
    quarter = (YEAR_START + timedelta(days=270), year[1])
    session = conn.execute(
        "SELECT session_id FROM session_summaries ORDER BY duration_s DESC LIMIT 1"
    ).fetchone()[0]  # type: ignore[index]
    raw_repeats = max(1, repeats // 3)
    plan: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "weekly summaries (year)": (
            lambda: athletes.weekly_summaries(conn, athlete, *year),
            lambda: conn.execute(
                RAW_PERIODS,
                {"period": "week", "athlete": athlete, "start": year[0], "end": year[1]},
            ).fetchall(),
        ),
        "weekly, UTC daily_rollups": (
            lambda: conn.execute(
                UTC_DAILY_PERIODS,
                {"period": "week", "athlete": athlete, "start": year[0], "end": year[1]},
            ).fetchall(),
            lambda: conn.execute(
                RAW_PERIODS,
                {"period": "week", "athlete": athlete, "start": year[0], "end": year[1]},
            ).fetchall(),
        ),
        "monthly summaries (year)": (
            lambda: athletes.monthly_summaries(conn, athlete, *year),
            lambda: conn.execute(
                RAW_PERIODS,
                {"period": "month", "athlete": athlete, "start": year[0], "end": year[1]},
            ).fetchall(),
        ),
        "fitness chart (year)": (
            lambda: athletes.fitness_chart(conn, athlete, *year),
            lambda: raw_fitness(conn, athlete),
        ),
        "best efforts (90 days)": (
            lambda: athletes.best_efforts(conn, athlete, *quarter),
            lambda: raw_best(conn, athlete, *quarter),
        ),
        "power curve (all time)": (
            lambda: athletes.power_curve(conn, athlete),
            lambda: raw_power_curve(conn, athlete),
        ),
        "session minutes": (
            lambda: sessions.session_minutes(conn, session),
            lambda: conn.execute(RAW_MINUTES, (session,)).fetchall(),
        ),
        "session summary": (
            lambda: sessions.session_summary(conn, session),
            lambda: summarize_from_raw(conn, session),
        ),
    }
    results: dict[str, tuple[float, float]] = {}
    for query, (fast, slow) in plan.items():
        results[query] = (
            round(median_ms(fast, repeats), 2),
            round(median_ms(slow, raw_repeats), 2),
        )
    return results


def summarize_from_raw(conn: psycopg.Connection[Any], session: uuid.UUID) -> Any:
    rows = conn.execute(
        "SELECT power_w, heart_rate_bpm FROM samples WHERE session_id = %s ORDER BY ts",
        (session,),
    ).fetchall()
    series = Series(
        start=0.0,
        recorded=(True,) * len(rows),
        channels={
            "power_w": tuple(r[0] for r in rows),
            "heart_rate_bpm": tuple(r[1] for r in rows),
        },
    )
    return summarize_ride(series, ftp_w=FTP_W)


if __name__ == "__main__":
    sys.exit(main())
