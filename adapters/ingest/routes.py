"""Which running session a bridge client's samples belong to (the `bridge_routes` table).

The table is written in the same transaction as the session events that change it
(see adapters/sessions/routing.py); the worker caches what it read and refreshes an entry
when the session it points to turns out to have ended, or when a miss is older than a
couple of seconds (a session may have just started). The clients of a batch that it does
not know are read together (`get_many`): after a restart or a shard's failover, that is
every client of the first batches.

A sample that its client's running session does not take (none runs, or the sample's device
time is outside it) is looked up in `client_sessions` by its device time: the session of that
client whose span, widened by the domain's clock skew, contains it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
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
        return self.get_many((client_id,))[client_id]

    def get_many(self, client_ids: Iterable[str]) -> dict[str, Route | None]:
        """The route of each client, as `get` gives it; the clients it must ask the
        database about (a cold start, a shard's failover: many at once) in one query."""
        wanted = list(dict.fromkeys(client_ids))
        now = time.monotonic()
        unknown = [
            client_id
            for client_id in wanted
            if client_id not in self._routes and not self._missed_lately(client_id, now)
        ]
        if unknown:
            self._read(unknown)
        return {client_id: self._routes.get(client_id) for client_id in wanted}

    def refresh(self, client_id: str) -> Route | None:
        self._read([client_id])
        return self._routes.get(client_id)

    def _missed_lately(self, client_id: str, now: float) -> bool:
        missed_at = self._misses.get(client_id)
        return missed_at is not None and now - missed_at < MISS_TTL_S

    def _read(self, client_ids: list[str]) -> None:
        with self._pool.connection() as conn:
            rows = conn.execute(
                "SELECT client_id, session_id, owner_id, athlete_id FROM bridge_routes"
                " WHERE client_id = ANY(%s)",
                (client_ids,),
            ).fetchall()
        found = {row[0]: Route(*row) for row in rows}
        missed_at = time.monotonic()
        for client_id in client_ids:
            route = found.get(client_id)
            if route is None:
                self._routes.pop(client_id, None)
                self._misses[client_id] = missed_at
            else:
                self._misses.pop(client_id, None)
                self._routes[client_id] = route

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
