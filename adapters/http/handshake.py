"""What both sockets do before anything else: check the Origin, then authenticate.

Origin: a browser always sends it, so a socket opened by a page of another site is
refused (403) before the upgrade. Origins are compared as (scheme, host, port), the
port defaulting by scheme: `http://host` and `https://host` are different sites. A
request without Origin is not from a browser page (the phone app, a desktop tool) and
cannot be a cross-site attack; it is let through, and the ticket decides.

Authentication: the first message must be `{"type": "auth", "ticket": "..."}` (plus
fields each socket needs), within `AUTH_TIMEOUT_S`. Close codes: 4001 not authenticated,
4003 a resource that is not the user's, 4400 a message the socket does not understand,
1013 the broker is unavailable (reconnect later).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import orjson
from aiohttp import WSMsgType, web

from adapters.http.errors import Forbidden
from adapters.http.keys import DB_POOL, SETTINGS
from adapters.http.tickets import redeem_ticket
from adapters.settings import Settings

AUTH_TIMEOUT_S = 10.0
CLOSE_UNAUTHENTICATED = 4001
CLOSE_FORBIDDEN = 4003
CLOSE_BAD_MESSAGE = 4400
CLOSE_TRY_AGAIN = 1013  # RFC 6455 "try again later": the broker is unavailable


_DEFAULT_PORTS = {"http": 80, "https": 443}

Origin = tuple[str, str, int]


def parse_origin(value: str) -> Origin | None:
    """(scheme, host, port) of an origin, with the scheme's default port; None if malformed."""
    try:
        parts = urlsplit(value.strip().rstrip("/"))
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not host or port is None:
        return None
    return scheme, host, port


def allowed_origins(settings: Settings) -> frozenset[Origin]:
    configured = [o for o in settings.ws_allowed_origins.split(",") if o.strip()]
    if settings.public_origin:
        configured.append(settings.public_origin)
    if settings.env != "production":
        port = settings.http_port
        configured += [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]
    return frozenset(o for o in map(parse_origin, configured) if o is not None)


def check_origin(request: web.Request) -> None:
    origin = request.headers.get("Origin")
    if origin is None:
        return
    parsed = parse_origin(origin)
    if parsed is not None and parsed in allowed_origins(request.app[SETTINGS]):
        return
    # The page and the socket on the same scheme, host and port is the dashboard itself.
    if parsed is not None and parsed == parse_origin(f"{request.scheme}://{request.host}"):
        return
    raise Forbidden(f"origin {origin[:200]!r} is not allowed", code="origin_not_allowed")


@dataclass(frozen=True)
class Authenticated:
    user_id: UUID
    hello: dict[str, Any]


async def authenticate(request: web.Request, ws: web.WebSocketResponse) -> Authenticated | None:
    """Wait for the auth message; on failure the socket is closed and None returned."""
    try:
        message = await ws.receive(timeout=AUTH_TIMEOUT_S)
    except TimeoutError:
        await ws.close(code=CLOSE_UNAUTHENTICATED, message=b"authentication timed out")
        return None
    if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
        await ws.close(code=CLOSE_UNAUTHENTICATED, message=b"authenticate first")
        return None
    try:
        hello = orjson.loads(message.data)
    except orjson.JSONDecodeError:
        hello = None
    ticket = hello.get("ticket") if isinstance(hello, dict) else None
    if not isinstance(hello, dict) or hello.get("type") != "auth" or not isinstance(ticket, str):
        await ws.close(code=CLOSE_UNAUTHENTICATED, message=b'first send {"type":"auth",...}')
        return None
    user_id = await redeem_ticket(request.app[DB_POOL], ticket[:200])
    if user_id is None:
        await ws.close(code=CLOSE_UNAUTHENTICATED, message=b"invalid or expired ticket")
        return None
    return Authenticated(user_id, hello)
