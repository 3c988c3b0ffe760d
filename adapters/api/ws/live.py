"""`/ws/live`: a dashboard's live feed of its own sessions.

Protocol (JSON text frames):
  client: {"type": "auth", "ticket": "..."}          -> server: {"type": "ready"}
  client: {"type": "subscribe", "session_id": "..."} -> server: {"type": "subscribed", ...}
  client: {"type": "unsubscribe", "session_id": "..."}
  server: {"type": "live", "data": {...}}  one committed event: a sample, a command, a status
A session of another user (or none) closes the socket with 4003; a message that is not
understood with 4400.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson
from aio_pika.exceptions import AMQPError
from aiohttp import WSMsgType, web

from adapters.api.keys import DB_POOL, LIVE_HUB, OPEN_SOCKETS
from adapters.api.ws.live_hub import LiveWatcher
from adapters.http.errors import NotFound
from adapters.http.handshake import (
    CLOSE_BAD_MESSAGE,
    CLOSE_FORBIDDEN,
    CLOSE_TRY_AGAIN,
    authenticate,
    check_origin,
)
from adapters.http.ownership import session_of
from adapters.http.validation import parse_uuid

log = logging.getLogger(__name__)

HEARTBEAT_S = 20.0
MAX_MESSAGE_BYTES = 4096
MAX_SUBSCRIPTIONS = 50


async def live_socket(request: web.Request) -> web.WebSocketResponse:
    check_origin(request)
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_S, max_msg_size=MAX_MESSAGE_BYTES)
    await ws.prepare(request)
    sockets = request.app[OPEN_SOCKETS]
    sockets.add(ws, "live")
    try:
        auth = await authenticate(request, ws)
        if auth is not None:
            await _serve(request, ws, LiveWatcher(auth.user_id))
    except (AMQPError, ConnectionError) as error:
        log.warning("live socket ended", extra={"error": repr(error)})
        await ws.close(code=CLOSE_TRY_AGAIN, message=b"the broker is unavailable")
    finally:
        sockets.discard(ws)
    return ws


async def _serve(request: web.Request, ws: web.WebSocketResponse, watcher: LiveWatcher) -> None:
    hub = request.app[LIVE_HUB]
    await hub.join(watcher)
    sender = asyncio.create_task(_send_latest(ws, watcher))
    try:
        await ws.send_str('{"type":"ready"}')
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                await ws.close(code=CLOSE_BAD_MESSAGE, message=b"send JSON text frames")
                break
            try:
                reply = await _handle(request, watcher, message.data)
            except NotFound:
                await ws.close(code=CLOSE_FORBIDDEN, message=b"not your session")
                break
            if reply is None:
                await ws.close(code=CLOSE_BAD_MESSAGE, message=b"message not understood")
                break
            await ws.send_str(orjson.dumps(reply).decode())
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sender
        await hub.leave(watcher)


async def _handle(request: web.Request, watcher: LiveWatcher, text: str) -> dict[str, Any] | None:
    """The reply to one client message; None if it is not understood, NotFound if it
    names a session that is not the user's."""
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(message, dict) or message.get("type") not in {"subscribe", "unsubscribe"}:
        return None
    raw_id = message.get("session_id")
    session_id = parse_uuid(raw_id) if isinstance(raw_id, str) else None
    if session_id is None:
        return None
    if message["type"] == "unsubscribe":
        watcher.sessions.discard(str(session_id))
        return {"type": "unsubscribed", "session_id": str(session_id)}
    owned = await session_of(request.app[DB_POOL], watcher.user_id, session_id)
    if len(watcher.sessions) >= MAX_SUBSCRIPTIONS:
        return None
    watcher.sessions.add(str(owned.id))
    return {
        "type": "subscribed",
        "session_id": str(owned.id),
        "status": owned.status,
        "bridge_id": owned.client_id,
    }


async def _send_latest(ws: web.WebSocketResponse, watcher: LiveWatcher) -> None:
    # Sending waits when the client reads slowly; meanwhile its buffer keeps only the
    # latest message per key, so the wait costs nobody else anything.
    with contextlib.suppress(ConnectionError):
        while not ws.closed:
            for payload in await watcher.buffer.take():
                await ws.send_str(payload.decode())


def setup(app: web.Application) -> None:
    app.router.add_get("/ws/live", live_socket)
