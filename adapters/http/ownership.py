"""Tenancy: resolve an id to a resource only if the requesting user owns it.

Another user's resource answers exactly like a missing one (404 `not_found`), so ids
cannot be probed for existence. The lookup tables are kept in step with the events by
`adapters.services.ownership_index`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from aiohttp import web
from psycopg_pool import AsyncConnectionPool

from adapters.http.errors import NotFound
from adapters.http.keys import DB_POOL, USER_ID
from adapters.http.validation import path_uuid


@dataclass(frozen=True)
class OwnedBridge:
    id: UUID
    name: str
    kind: str
    registered_at: datetime
    revoked_at: datetime | None

    @property
    def client_id(self) -> str:
        return str(self.id)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class OwnedSession:
    id: UUID
    athlete_id: UUID
    client_id: str
    transport: str
    status: str
    started_at: datetime
    ended_at: datetime | None


async def athlete_of(pool: AsyncConnectionPool, user_id: UUID, athlete_id: UUID) -> UUID:
    async with pool.connection() as conn:
        cursor = await conn.execute(
            "SELECT athlete_id FROM user_athletes WHERE athlete_id = %s AND owner_id = %s",
            (athlete_id, user_id),
        )
        if await cursor.fetchone() is None:
            raise NotFound("no such athlete")
    return athlete_id


async def athlete_in_path(request: web.Request) -> UUID:
    """The `{athlete_id}` of a route's URL, if the requesting user owns that athlete."""
    return await athlete_of(
        request.app[DB_POOL], request[USER_ID], path_uuid(request, "athlete_id", "athlete")
    )


BRIDGE_COLUMNS = "bridge_id, name, kind, registered_at, revoked_at"
SESSION_COLUMNS = "session_id, athlete_id, client_id, transport, status, started_at, ended_at"


async def bridge_of(pool: AsyncConnectionPool, user_id: UUID, bridge_id: UUID) -> OwnedBridge:
    async with pool.connection() as conn:
        cursor = await conn.execute(
            f"SELECT {BRIDGE_COLUMNS} FROM user_bridges WHERE bridge_id = %s AND owner_id = %s",
            (bridge_id, user_id),
        )
        row = await cursor.fetchone()
    if row is None:
        raise NotFound("no such bridge")
    return OwnedBridge(*row)


async def bridge_by_client_id(
    pool: AsyncConnectionPool, user_id: UUID, client_id: str
) -> OwnedBridge | None:
    try:
        bridge_id = UUID(client_id)
    except ValueError:
        return None
    try:
        return await bridge_of(pool, user_id, bridge_id)
    except NotFound:
        return None


async def session_of(pool: AsyncConnectionPool, user_id: UUID, session_id: UUID) -> OwnedSession:
    async with pool.connection() as conn:
        cursor = await conn.execute(
            f"SELECT {SESSION_COLUMNS} FROM user_sessions WHERE session_id = %s AND owner_id = %s",
            (session_id, user_id),
        )
        row = await cursor.fetchone()
    if row is None:
        raise NotFound("no such session")
    return OwnedSession(*row)
