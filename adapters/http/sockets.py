"""The open WebSockets of this process, so that shutting down (or revoking a bridge) can
close them instead of leaving handlers waiting."""

from __future__ import annotations

import asyncio
from collections import Counter

from aiohttp import web

CLOSE_GOING_AWAY = 1001


class OpenSockets:
    def __init__(self) -> None:
        self._sockets: dict[web.WebSocketResponse, tuple[str, str | None]] = {}

    def add(self, ws: web.WebSocketResponse, kind: str, client_id: str | None = None) -> None:
        self._sockets[ws] = (kind, client_id)

    def discard(self, ws: web.WebSocketResponse) -> None:
        self._sockets.pop(ws, None)

    def counts(self) -> Counter[str]:
        return Counter(kind for kind, _ in self._sockets.values())

    async def disconnect(self, client_id: str, code: int, message: bytes) -> None:
        """Close every bridge socket of this client (its bridge was revoked)."""
        matching = [ws for ws, (_, cid) in self._sockets.items() if cid == client_id]
        await asyncio.gather(*(ws.close(code=code, message=message) for ws in matching))

    async def close_all(self) -> None:
        sockets = list(self._sockets)
        await asyncio.gather(
            *(ws.close(code=CLOSE_GOING_AWAY, message=b"server shutting down") for ws in sockets)
        )
