"""SQL that keeps `bridge_routes` in step with session events, run inside the same
transaction as the events (`WattlogStore.save(..., also_execute=...)`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

Statement = tuple[str, tuple[Any, ...]]


def route_client(client_id: str, session_id: UUID, owner_id: UUID, athlete_id: UUID) -> Statement:
    return (
        "INSERT INTO bridge_routes (client_id, session_id, owner_id, athlete_id)"
        " VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (client_id) DO UPDATE SET session_id = EXCLUDED.session_id,"
        " owner_id = EXCLUDED.owner_id, athlete_id = EXCLUDED.athlete_id, routed_at = now()",
        (client_id, session_id, owner_id, athlete_id),
    )


def unroute_session(session_id: UUID) -> Statement:
    return ("DELETE FROM bridge_routes WHERE session_id = %s", (session_id,))
