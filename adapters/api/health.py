"""`/healthz` (the process answers) and `/readyz` (its database and broker are usable)."""

from __future__ import annotations

from aiohttp import web

from adapters.api.keys import AMQP, DB_POOL


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    problems: dict[str, str] = {}
    try:
        async with request.app[DB_POOL].connection(timeout=2) as conn:
            await conn.execute("SELECT 1")
    except Exception as error:  # whatever the failure, the database is not usable
        problems["database"] = type(error).__name__
    broker = request.app[AMQP]
    if broker.is_closed or not broker.connected.is_set():
        problems["broker"] = "not connected"
    if problems:
        return web.json_response({"status": "unavailable", "problems": problems}, status=503)
    return web.json_response({"status": "ready"})


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
