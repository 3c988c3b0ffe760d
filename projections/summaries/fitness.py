"""Keeps `athlete_fitness` (CTL/ATL/TSB by day) in step with the finished sessions' TSS.

The table holds every day from an athlete's first to last day with a finished ride. When the
TSS of a day changes, the series is recomputed from that day on, starting from the loads at
the end of the day before (which earlier rides alone decide).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import psycopg

from domain.metrics.fitness import fitness_by_day


def recompute_fitness(conn: psycopg.Connection[Any], athlete_id: UUID, from_day: date) -> None:
    previous = conn.execute(
        "SELECT day, ctl, atl FROM athlete_fitness WHERE athlete_id = %s AND day < %s"
        " ORDER BY day DESC LIMIT 1",
        (athlete_id, from_day),
    ).fetchone()
    daily = dict(
        conn.execute(
            "SELECT ride_day, sum(tss ORDER BY session_id) FROM session_summaries"
            " WHERE athlete_id = %s AND status = 'finished' AND tss IS NOT NULL GROUP BY ride_day",
            (athlete_id,),
        ).fetchall()
    )
    if previous is not None:
        start: date | None = previous[0] + timedelta(days=1)
        initial_ctl, initial_atl = previous[1], previous[2]
    else:
        start = min(daily) if daily else None
        initial_ctl = initial_atl = 0.0
    conn.execute(
        "DELETE FROM athlete_fitness WHERE athlete_id = %s AND day >= %s",
        (athlete_id, start if start is not None and start < from_day else from_day),
    )
    if start is None or not daily or max(daily) < start:
        return
    days = fitness_by_day(
        {day: float(tss) for day, tss in daily.items()},
        start=start,
        end=max(daily),
        initial_ctl=initial_ctl,
        initial_atl=initial_atl,
    )
    conn.execute(
        "INSERT INTO athlete_fitness (athlete_id, day, tss, ctl, atl, tsb)"
        " SELECT %s, * FROM unnest(%s::date[], %s::float8[], %s::float8[], %s::float8[],"
        " %s::float8[])",
        (
            athlete_id,
            [d.day for d in days],
            [d.tss for d in days],
            [d.ctl for d in days],
            [d.atl for d in days],
            [d.tsb for d in days],
        ),
    )
