"""SQL that keeps `bridge_routes` (a client's running session) and `client_sessions` (every
session a client took part in, with its span) in step with session events, run inside the
same transaction as the events (`WattlogStore.save(..., also_execute=...)`)."""

from __future__ import annotations

from datetime import datetime
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


def join_session(
    client_id: str, session_id: UUID, owner_id: UUID, athlete_id: UUID, started_at: datetime
) -> Statement:
    """The client takes part in the session, which started at ``started_at``."""
    return (
        "INSERT INTO client_sessions (client_id, session_id, owner_id, athlete_id, started_at)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (client_id, session_id) DO NOTHING",
        (client_id, session_id, owner_id, athlete_id, started_at),
    )


def end_session(session_id: UUID, status: str, ended_at: datetime | None) -> Statement:
    return (
        "UPDATE client_sessions SET ended_at = %s, status = %s WHERE session_id = %s",
        (ended_at, status, session_id),
    )
