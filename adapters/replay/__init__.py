"""Ride replay: a past session's stored events streamed at their recorded timing, scaled by a
speed of 1x to 60x, with play, pause and seek (`/ws/replay`), and the stored events of a
session as JSON (`/api/sessions/{id}/events`) for catch-up and analysis. docs/dashboard.md
describes the protocol.

The API application mounts it through this package only: `setup(app)` adds the routes,
`REPLAY_PATHS` describes them. The replay imports nothing of the API (its shared HTTP
pieces are in `adapters.http`)."""

from adapters.replay.openapi import REPLAY_PATHS
from adapters.replay.routes import setup

__all__ = ["REPLAY_PATHS", "setup"]
