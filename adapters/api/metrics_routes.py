"""`/metrics` and the middleware that counts and times every request.

Requests are labelled with their route template (`/api/sessions/{session_id}`), never the
raw path, so ids cannot blow up the number of series; unmatched paths share one label.
At scrape time: sessions active, open sockets, the depth and consumers of each ingest
shard queue (a passive declare on a short-lived channel: ingest lag in messages), how
many committed events the relay has not published yet, and how many events each projection
set aside (`projection_failures`: alert when above 0).
"""

from __future__ import annotations

import logging
import time

from aio_pika.exceptions import AMQPError
from aiohttp import web

from adapters.amqp import names
from adapters.amqp.connection import connection_losses as broker_losses
from adapters.analytics.lag import FAILURE_COUNTS_SQL, failure_counts
from adapters.api.keys import (
    AMQP,
    ANALYTICS_POOL,
    DB_POOL,
    LIVE_HUB,
    METRICS,
    OPEN_SOCKETS,
    SETTINGS,
    STORE,
)
from adapters.api.metrics import Labels, gauge
from adapters.http.errors import Handler
from adapters.postgres.pools import connection_losses as pool_losses
from domain.sessions import ACTIVE_STATUSES

log = logging.getLogger(__name__)

PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def route_label(request: web.Request) -> str:
    match_info = request.match_info
    resource = match_info.route.resource
    if resource is None or match_info.http_exception is not None:
        return "unmatched"
    return resource.canonical


@web.middleware
async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    socket = False
    try:
        response = await handler(request)
        status = response.status
        socket = isinstance(response, web.WebSocketResponse)
        return response
    except web.HTTPException as error:
        status = error.status
        raise
    finally:
        route = route_label(request)
        metrics = request.app[METRICS]
        metrics.requests.inc(route=route, method=request.method, status=str(status))
        if not socket:  # a socket's "latency" would be its whole lifetime
            metrics.latency.observe(time.perf_counter() - started, route=route)


async def _database_gauges(request: web.Request) -> list[str]:
    async with request.app[DB_POOL].connection() as conn:
        row = await (
            await conn.execute(
                "SELECT count(*) FROM user_sessions WHERE status = ANY(%s)",
                (list(ACTIVE_STATUSES),),
            )
        ).fetchone()
        active = row[0] if row else 0
        lag_row = await (
            await conn.execute(
                "SELECT (SELECT coalesce(max(notification_id), 0) FROM wattlog_events)"
                " - coalesce((SELECT max(notification_id) FROM relay_positions), 0)"
            )
        ).fetchone()
        failed = failure_counts(await (await conn.execute(FAILURE_COUNTS_SQL)).fetchall())
    return [
        *gauge(
            "wattlog_projection_failures",
            "events a projection set aside because it could not project them",
            [((("projection", name),), count) for name, count in failed.items()],
        ),
        *gauge("wattlog_sessions_running", "sessions running or paused", [((), active)]),
        *gauge(
            "wattlog_relay_lag_events",
            "committed events the relay has not published yet",
            [((), lag_row[0] if lag_row else 0)],
        ),
    ]


async def _queue_gauges(request: web.Request) -> list[str]:
    depths: list[tuple[Labels, float]] = []
    consumers: list[tuple[Labels, float]] = []
    try:
        async with await request.app[AMQP].channel() as channel:
            for index in range(request.app[SETTINGS].ingest_shards):
                name = names.shard_queue(index)
                queue = await channel.declare_queue(name, passive=True)
                result = queue.declaration_result
                depths.append(((("queue", name),), result.message_count or 0))
                consumers.append(((("queue", name),), result.consumer_count or 0))
    except (AMQPError, ConnectionError) as error:
        log.warning("queue depths unavailable", extra={"error": repr(error)})
    return [
        *gauge("wattlog_ingest_queue_messages", "messages waiting in an ingest shard", depths),
        *gauge("wattlog_ingest_queue_consumers", "consumers of an ingest shard queue", consumers),
    ]


async def metrics_handler(request: web.Request) -> web.Response:
    sockets = request.app[OPEN_SOCKETS].counts()
    lines = [
        *request.app[METRICS].render(),
        *await _database_gauges(request),
        *await _queue_gauges(request),
        *gauge(
            "wattlog_websockets_open",
            "open WebSockets by kind",
            [((("kind", kind),), sockets.get(kind, 0)) for kind in ("live", "bridge")],
        ),
        *gauge(
            "wattlog_broker_connection_losses_total",
            "times this process lost its RabbitMQ connection (it reconnects by itself)",
            [((), broker_losses(request.app[AMQP]))],
            kind="counter",
        ),
        *gauge(
            "wattlog_database_connection_losses_total",
            "times a pool of this process found its PostgreSQL connections dead, by pool",
            [
                ((("pool", "api"),), pool_losses(request.app[DB_POOL])),
                ((("pool", "analytics"),), pool_losses(request.app[ANALYTICS_POOL])),
                ((("pool", "event_store"),), pool_losses(request.app[STORE].database_pool)),
            ],
            kind="counter",
        ),
        *gauge(
            "wattlog_live_messages_total",
            "live items (committed events) received for this process's dashboards",
            [((), request.app[LIVE_HUB].delivered)],
            kind="counter",
        ),
    ]
    return web.Response(
        text="\n".join(lines) + "\n", headers={"Content-Type": PROMETHEUS_CONTENT_TYPE}
    )


def setup(app: web.Application) -> None:
    app.router.add_get("/metrics", metrics_handler)
