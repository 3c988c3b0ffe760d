"""`/ws/replay`: a past session played back from the event store (protocol in
`adapters.replay.protocol` and `adapters.replay.session`).

Authenticated like `/ws/live`: Origin check, then a single-use ticket as the first message,
which also names the session. Another user's session (or none) closes the socket with
4003, exactly like the live feed. Each connection holds its ride's timeline in memory, so a
process serves at most `MAX_REPLAYS` at a time; one more is closed with 1013 (try again
later).
"""

from __future__ import annotations

import logging
from uuid import UUID

from aiohttp import web

from adapters.eventstore import WattlogStore
from adapters.http.errors import NotFound
from adapters.http.handshake import (
    CLOSE_BAD_MESSAGE,
    CLOSE_FORBIDDEN,
    authenticate,
    check_origin,
)
from adapters.http.keys import DB_POOL, OPEN_SOCKETS, STORE
from adapters.http.ownership import session_of
from adapters.http.threads import in_thread
from adapters.replay.protocol import BadControl, parse_opening
from adapters.replay.reading import ReplayTooLong, read_session
from adapters.replay.session import ReplaySession
from adapters.replay.timeline import Timeline, build_timeline

log = logging.getLogger(__name__)

HEARTBEAT_S = 20.0
MAX_MESSAGE_BYTES = 4096
MAX_REPLAYS = 16
CLOSE_TRY_AGAIN_LATER = 1013


class ReplaySlots:
    """How many replays this process is serving."""

    def __init__(self, limit: int = MAX_REPLAYS) -> None:
        self.limit = limit
        self.active = 0


REPLAY_SLOTS = web.AppKey("replay_slots", ReplaySlots)


def _load(store: WattlogStore, session_id: UUID) -> Timeline:
    return build_timeline(session_id, read_session(store, session_id))


async def replay_socket(request: web.Request) -> web.WebSocketResponse:
    check_origin(request)
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_S, max_msg_size=MAX_MESSAGE_BYTES)
    await ws.prepare(request)
    sockets = request.app[OPEN_SOCKETS]
    sockets.add(ws, "replay")
    slots = request.app[REPLAY_SLOTS]
    try:
        auth = await authenticate(request, ws)
        if auth is None:
            return ws
        try:
            opening = parse_opening(auth.hello)
        except BadControl as error:
            await ws.close(code=CLOSE_BAD_MESSAGE, message=str(error).encode()[:120])
            return ws
        try:
            owned = await session_of(request.app[DB_POOL], auth.user_id, opening.session_id)
        except NotFound:
            await ws.close(code=CLOSE_FORBIDDEN, message=b"not your session")
            return ws
        if slots.active >= slots.limit:
            await ws.close(code=CLOSE_TRY_AGAIN_LATER, message=b"too many replays; retry later")
            return ws
        slots.active += 1
        try:
            timeline = await in_thread(_load, request.app[STORE], owned.id)
            log.info(
                "replay started",
                extra={"session_id": str(owned.id), "events": len(timeline)},
            )
            await ReplaySession(ws, timeline, owned.status).run(opening)
        except ReplayTooLong as error:
            await ws.close(code=CLOSE_BAD_MESSAGE, message=str(error).encode()[:120])
        finally:
            slots.active -= 1
    finally:
        sockets.discard(ws)
    return ws


def setup(app: web.Application) -> None:
    app[REPLAY_SLOTS] = ReplaySlots()
    app.router.add_get("/ws/replay", replay_socket)
