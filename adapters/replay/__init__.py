"""Ride replay: a past session's stored events streamed at their recorded timing, scaled by a
speed of 1x to 60x, with play, pause and seek (`/ws/replay`), and the stored events of a
session as JSON (`/api/sessions/{id}/events`) for catch-up and analysis. docs/dashboard.md
describes the protocol."""
