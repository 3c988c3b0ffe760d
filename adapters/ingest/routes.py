"""Which running session a bridge client's samples belong to (the `bridge_routes` table).

The table is written in the same transaction as the session events that change it
(see adapters/sessions/routing.py); the worker caches what it read and refreshes an entry
when the session it points to turns out to have ended, or when a miss is older than a
couple of seconds (a session may have just started).

A sample that its client's running session does not take (none runs, or the sample's device
time is outside it) is looked up in `client_sessions` by its device time: the session of that
client whose span, widened by the domain's clock skew, contains it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from psycopg_pool import ConnectionPool

from domain.sessions import MAX_CLOCK_SKEW_S

MISS_TTL_S = 2.0


@dataclass(frozen=True)
class Route:
    client_id: str
    session_id: UUID
    owner_id: UUID
    athlete_id: UUID


class RouteTable:
    def __init__(self, pool: ConnectionPool) -> None:
        self._pool = pool
        self._routes: dict[str, Route] = {}
        self._misses: dict[str, float] = {}

    def get(self, client_id: str) -> Route | None:
        route = self._routes.get(client_id)
        if route is not None:
            return route
        missed_at = self._misses.get(client_id)
        if missed_at is not None and time.monotonic() - missed_at < MISS_TTL_S:
            return None
        return self.refresh(client_id)

    def refresh(self, client_id: str) -> Route | None:
        with self._pool.connection() as conn:
            row = conn.execute(
                "SELECT session_id, owner_id, athlete_id FROM bridge_routes WHERE client_id = %s",
                (client_id,),
            ).fetchone()
        if row is None:
            self._routes.pop(client_id, None)
            self._misses[client_id] = time.monotonic()
            return None
        self._misses.pop(client_id, None)
        route = Route(client_id, row[0], row[1], row[2])
        self._routes[client_id] = route
        return route

    def session_at(self, client_id: str, device_time: float) -> UUID | None:
        """The session of this client whose span contains the device time (the latest
        started, if clock skew makes two overlap), running or ended; None if there is none."""
        try:
            moment = datetime.fromtimestamp(device_time, UTC)
        except (OverflowError, OSError, ValueError):
            return None
        with self._pool.connection() as conn:
            row = conn.execute(
                "SELECT session_id FROM client_sessions WHERE client_id = %s"
                " AND started_at - make_interval(secs => %s) <= %s"
                " AND (ended_at IS NULL OR ended_at + make_interval(secs => %s) >= %s)"
                " ORDER BY started_at DESC LIMIT 1",
                (client_id, MAX_CLOCK_SKEW_S, moment, MAX_CLOCK_SKEW_S, moment),
            ).fetchone()
        return None if row is None else UUID(str(row[0]))
