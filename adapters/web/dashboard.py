"""`setup_dashboard(app)`: the dashboard's pages and assets on the API application (called at
the end of `adapters.api.app.create_app`, which sets up the replay's routes with the API's
own: `adapters.replay.routes`)."""

from __future__ import annotations

from aiohttp import web

from adapters.web import assets, pages


def setup_dashboard(app: web.Application) -> None:
    pages.setup(app)
    assets.setup(app)
