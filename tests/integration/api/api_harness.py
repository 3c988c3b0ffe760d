"""Driving the API in tests: an app on a free port, users, and the bridges they register.

Every bridge registered through `Api` is remembered, and its RabbitMQ user deleted when
the test ends (RabbitMQ users are global, not per vhost), whatever the test did.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import ClientWebSocketResponse, test_utils, web

from adapters.amqp.accounts import BridgeAccounts
from adapters.settings import Settings

PASSWORD = "pedal-harder-every-tuesday"


@dataclass
class User:
    id: str
    email: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def error_code(self) -> str | None:
        if isinstance(self.body, dict) and isinstance(self.body.get("error"), dict):
            code = self.body["error"].get("code")
            return code if isinstance(code, str) else None
        return None


class Api:
    def __init__(self, client: test_utils.TestClient[web.Request, web.Application]) -> None:
        self.client = client
        self.bridge_ids: list[str] = []

    @property
    def app(self) -> web.Application:
        return self.client.app  # type: ignore[return-value]

    def url(self, path: str) -> str:
        return str(self.client.make_url(path))

    async def call(
        self,
        method: str,
        path: str,
        user: User | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        data: Any = None,
    ) -> Reply:
        all_headers = {**(user.headers if user else {}), **(headers or {})}
        async with self.client.request(
            method, path, json=json, data=data, headers=all_headers
        ) as response:
            text = await response.text()
            body: Any = None
            if response.content_type == "application/json" and text:
                body = await response.json()
            elif text:
                body = text
            reply = Reply(response.status, body, dict(response.headers))
        if method == "POST" and path == "/api/bridges" and reply.status == 201:
            self.bridge_ids.append(reply.body["client_id"])
        return reply

    async def register(self, email: str | None = None, password: str = PASSWORD) -> User:
        email = email or f"rider-{uuid.uuid4().hex[:12]}@example.com"
        reply = await self.call(
            "POST", "/api/auth/register", json={"email": email, "password": password}
        )
        if reply.status != 201:
            raise AssertionError(f"registration failed: {reply.status} {reply.body}")
        return User(
            reply.body["user"]["id"],
            email,
            password,
            reply.body["access_token"],
            reply.body["refresh_token"],
        )

    async def athlete(self, user: User, ftp_w: int = 250) -> dict[str, Any]:
        reply = await self.call(
            "POST",
            "/api/athletes",
            user,
            json={"name": "Rider", "ftp_w": ftp_w, "weight_kg": 70},
        )
        assert reply.status == 201, reply.body
        return dict(reply.body)

    async def bridge(self, user: User, kind: str = "desktop") -> dict[str, Any]:
        reply = await self.call("POST", "/api/bridges", user, json={"name": kind, "kind": kind})
        assert reply.status == 201, reply.body
        return dict(reply.body)

    async def session(
        self, user: User, athlete_id: str, bridge_id: str, **extra: Any
    ) -> dict[str, Any]:
        reply = await self.call(
            "POST",
            "/api/sessions",
            user,
            json={"athlete_id": athlete_id, "bridge_id": bridge_id, **extra},
        )
        assert reply.status == 201, reply.body
        return dict(reply.body)

    async def ticket(self, user: User) -> str:
        reply = await self.call("POST", "/api/ws-tickets", user)
        assert reply.status == 201, reply.body
        return str(reply.body["ticket"])

    async def socket(self, path: str, user: User | None, **hello: Any) -> ClientWebSocketResponse:
        """A WebSocket already past authentication (when `user` is given)."""
        ws = await self.client.ws_connect(path)
        if user is not None:
            await ws.send_json({"type": "auth", "ticket": await self.ticket(user), **hello})
        return ws


async def next_json(ws: ClientWebSocketResponse, within_s: float = 10.0) -> dict[str, Any]:
    message = await ws.receive(timeout=within_s)
    if message.type != aiohttp.WSMsgType.TEXT:
        raise AssertionError(f"expected a text frame, got {message.type}: {message.data!r}")
    data = message.json()
    assert isinstance(data, dict)
    return data


async def closed_with(ws: ClientWebSocketResponse, within_s: float = 10.0) -> int | None:
    """The close code the server ended the socket with (skipping data frames)."""
    deadline = asyncio.get_running_loop().time() + within_s
    while True:
        remaining = deadline - asyncio.get_running_loop().time()
        message = await ws.receive(timeout=max(remaining, 0.01))
        if message.type == aiohttp.WSMsgType.CLOSE:
            # The code in the server's close frame (close_code can turn into 1006 if the
            # server drops the connection before the client's reply).
            return int(message.data)
        if message.type in (aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED):
            return ws.close_code


async def delete_bridge_accounts(settings: Settings, client_ids: list[str]) -> None:
    async with aiohttp.ClientSession() as http:
        accounts = BridgeAccounts(settings, http)
        for client_id in client_ids:
            await accounts.delete(client_id)


def new_email() -> str:
    return f"rider-{secrets.token_hex(6)}@example.com"


# `async with api_with(max_running_sessions=3) as api:` (the conftest's fixture)
ApiFactory = Callable[..., AbstractAsyncContextManager[Api]]


async def until(check: Callable[[], Awaitable[bool]], within_s: float = 30.0) -> None:
    """Waits until the asynchronous `check` holds."""
    deadline = asyncio.get_running_loop().time() + within_s
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {within_s}s")
        await asyncio.sleep(0.1)
