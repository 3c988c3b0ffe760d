"""An aiohttp application served on a free port of 127.0.0.1 for the length of a block, and
the smallest such application: the dashboard's assets and one page, to run its ES modules
in a browser on their own (the dashboard's tests and `ops/bench/charts.py`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from adapters.web import assets


@asynccontextmanager
async def serving(app: web.Application, shutdown_timeout: float = 60.0) -> AsyncIterator[str]:
    """Serves `app` until the block ends; yields its base URL (`http://127.0.0.1:<port>`)."""
    runner = web.AppRunner(app, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


def modules_page(html: str) -> web.Application:
    """The dashboard's assets under /static and /vendor, and `html` at `/`."""
    app = web.Application()
    assets.setup(app)

    async def page(request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    app.router.add_get("/", page)
    return app
