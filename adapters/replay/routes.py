"""The replay's routes on the API application."""

from __future__ import annotations

from aiohttp import web

from adapters.replay import events_route, socket


def setup(app: web.Application) -> None:
    socket.setup(app)
    app.router.add_get("/api/sessions/{session_id}/events", events_route.session_events)
