"""Time in zones per week for an athlete: the finished rides' zone times (`session_summaries`,
each computed with the zones in force for that ride) summed by week (from Monday, by the
ride's day) and zone, power and heart rate apart.

Zones are summed by position and name: a week whose rides used different zones (the rider's
own power zones after Coggan's) lists each zone it saw, in the order the rides had them.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import psycopg

from adapters.analytics.values import plain

_EVER = (date(1970, 1, 1), date(9999, 12, 31))

_ZONES_SQL = """
WITH zones AS (
    SELECT date_trunc('week', s.ride_day::timestamp)::date AS week_start, z.kind,
        z.zone ->> 'zone' AS zone, z.position, (z.zone ->> 'seconds')::integer AS seconds
    FROM session_summaries s
    CROSS JOIN LATERAL (
        SELECT 'power' AS kind, zone, position
        FROM jsonb_array_elements(coalesce(s.time_in_power_zones, '[]'::jsonb))
            WITH ORDINALITY AS p (zone, position)
        UNION ALL
        SELECT 'heart_rate', zone, position
        FROM jsonb_array_elements(coalesce(s.time_in_hr_zones, '[]'::jsonb))
            WITH ORDINALITY AS h (zone, position)
    ) z
    WHERE s.athlete_id = %(athlete)s AND s.status = 'finished'
        AND s.ride_day BETWEEN %(start)s AND %(end)s
)
SELECT week_start, kind, zone, sum(seconds)::integer
FROM zones
GROUP BY week_start, kind, position, zone
ORDER BY week_start, kind, position, zone
"""


def weekly_time_in_zones(
    conn: psycopg.Connection[Any],
    athlete_id: UUID,
    start: date | None = None,
    end: date | None = None,
) -> list[dict[str, Any]]:
    """[{week_start, power: [{zone, seconds}], heart_rate: [...]}] for weeks with rides."""
    rows = conn.execute(
        _ZONES_SQL,
        {"athlete": athlete_id, "start": start or _EVER[0], "end": end or _EVER[1]},
    ).fetchall()
    weeks: dict[date, dict[str, Any]] = {}
    for week_start, kind, zone, seconds in rows:
        week = weeks.setdefault(
            week_start, {"week_start": plain(week_start), "power": [], "heart_rate": []}
        )
        week[kind].append({"zone": zone, "seconds": seconds})
    return list(weeks.values())
