"""Read models for the dashboard: a ride's series, curve and zones; an athlete's fitness,
period summaries, best efforts and power curve (adapters/analytics, docs/projections.md).

The analytics functions are synchronous psycopg code: they run in the executor, on a
connection of the API's synchronous pool (`ANALYTICS_POOL`). The session or athlete is
resolved through the ownership tables first, so another user's ids answer 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from aiohttp import web
from psycopg_pool import ConnectionPool

from adapters.analytics import athletes as athlete_analytics
from adapters.analytics import sessions as session_analytics
from adapters.analytics.zones import weekly_time_in_zones
from adapters.api.keys import ANALYTICS_POOL, DB_POOL, USER_ID
from adapters.http.errors import InvalidField, NotFound
from adapters.http.ownership import athlete_in_path, session_of
from adapters.http.threads import in_thread
from adapters.http.validation import path_uuid, query_date

Query = Callable[..., Any]


def _run(pool: ConnectionPool, query: Query, *args: Any) -> Any:
    with pool.connection() as conn:
        return query(conn, *args)


async def _read(request: web.Request, query: Query, *args: Any) -> Any:
    return await in_thread(_run, request.app[ANALYTICS_POOL], query, *args)


async def _session_id(request: web.Request) -> UUID:
    owned = await session_of(
        request.app[DB_POOL], request[USER_ID], path_uuid(request, "session_id", "session")
    )
    return owned.id


def _date_range(request: web.Request) -> tuple[date | None, date | None]:
    start, end = query_date(request, "start"), query_date(request, "end")
    if start is not None and end is not None and start > end:
        raise InvalidField("start must not be after end", field="start")
    return start, end


async def session_series(request: web.Request) -> web.Response:
    session_id = await _session_id(request)
    return web.json_response(await _read(request, session_analytics.session_series, session_id))


async def session_minutes(request: web.Request) -> web.Response:
    session_id = await _session_id(request)
    return web.json_response(await _read(request, session_analytics.session_minutes, session_id))


async def _summarised(request: web.Request, query: Query) -> web.Response:
    session_id = await _session_id(request)
    found = await _read(request, query, session_id)
    if found is None:
        raise NotFound("the session has no summary yet (not projected, or no readings)")
    return web.json_response(found)


async def session_power_curve(request: web.Request) -> web.Response:
    return await _summarised(request, session_analytics.session_power_curve)


async def session_zones(request: web.Request) -> web.Response:
    return await _summarised(request, session_analytics.session_zones)


async def fitness(request: web.Request) -> web.Response:
    athlete_id = await athlete_in_path(request)
    start, end = _date_range(request)
    days = await _read(request, athlete_analytics.fitness_chart, athlete_id, start, end)
    return web.json_response({"fitness": days})


async def period_summaries(request: web.Request) -> web.Response:
    athlete_id = await athlete_in_path(request)
    period = request.query.get("period", "week")
    if period not in athlete_analytics.PERIODS:
        raise InvalidField(
            f"period must be one of {', '.join(sorted(athlete_analytics.PERIODS))}",
            field="period",
        )
    start, end = _date_range(request)
    found = await _read(request, athlete_analytics.period_summaries, athlete_id, period, start, end)
    return web.json_response({"period": period, "summaries": found})


async def weekly_zones(request: web.Request) -> web.Response:
    athlete_id = await athlete_in_path(request)
    start, end = _date_range(request)
    weeks = await _read(request, weekly_time_in_zones, athlete_id, start, end)
    return web.json_response({"weeks": weeks})


async def best_efforts(request: web.Request) -> web.Response:
    athlete_id = await athlete_in_path(request)
    start, end = _date_range(request)
    efforts = await _read(request, athlete_analytics.best_efforts, athlete_id, start, end)
    return web.json_response({"best_efforts": efforts})


async def power_curve(request: web.Request) -> web.Response:
    athlete_id = await athlete_in_path(request)
    start, end = _date_range(request)
    return web.json_response(
        await _read(request, athlete_analytics.power_curve, athlete_id, start, end)
    )


def setup(app: web.Application) -> None:
    app.router.add_get("/api/sessions/{session_id}/series", session_series)
    app.router.add_get("/api/sessions/{session_id}/minutes", session_minutes)
    app.router.add_get("/api/sessions/{session_id}/power-curve", session_power_curve)
    app.router.add_get("/api/sessions/{session_id}/zones", session_zones)
    app.router.add_get("/api/athletes/{athlete_id}/fitness", fitness)
    app.router.add_get("/api/athletes/{athlete_id}/summaries", period_summaries)
    app.router.add_get("/api/athletes/{athlete_id}/zones", weekly_zones)
    app.router.add_get("/api/athletes/{athlete_id}/best-efforts", best_efforts)
    app.router.add_get("/api/athletes/{athlete_id}/power-curve", power_curve)
