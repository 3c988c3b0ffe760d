"""WebSocket tickets: a socket authenticates with a random, single-use ticket valid for
`TICKET_TTL_S`, obtained with an access token from `POST /api/ws-tickets`.

Access tokens never travel in a WebSocket URL (where proxies and logs would keep them);
the ticket is sent as the socket's first message. Only its SHA-256 is stored, and using it
deletes it, so a ticket works once, on whichever API process the socket reaches.
"""

from __future__ import annotations

import hashlib
import secrets
from uuid import UUID

from aiohttp import web
from psycopg_pool import AsyncConnectionPool

from adapters.http.keys import DB_POOL, USER_ID

TICKET_TTL_S = 30


def _hash(ticket: str) -> bytes:
    return hashlib.sha256(ticket.encode("utf-8")).digest()


async def issue_ticket(pool: AsyncConnectionPool, user_id: UUID) -> str:
    ticket = secrets.token_urlsafe(32)
    async with pool.connection() as conn:
        await conn.execute("DELETE FROM ws_tickets WHERE expires_at < now()")
        await conn.execute(
            "INSERT INTO ws_tickets (ticket_hash, user_id, expires_at)"
            " VALUES (%s, %s, now() + make_interval(secs => %s))",
            (_hash(ticket), user_id, TICKET_TTL_S),
        )
    return ticket


async def redeem_ticket(pool: AsyncConnectionPool, ticket: str) -> UUID | None:
    """The ticket's user, once; None for an unknown, used or expired ticket."""
    async with pool.connection() as conn:
        cursor = await conn.execute(
            "DELETE FROM ws_tickets WHERE ticket_hash = %s RETURNING user_id, expires_at > now()",
            (_hash(ticket),),
        )
        row = await cursor.fetchone()
    if row is None or not row[1]:
        return None
    return UUID(str(row[0]))


async def create_ticket(request: web.Request) -> web.Response:
    ticket = await issue_ticket(request.app[DB_POOL], request[USER_ID])
    return web.json_response({"ticket": ticket, "expires_in": TICKET_TTL_S}, status=201)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/ws-tickets", create_ticket)
