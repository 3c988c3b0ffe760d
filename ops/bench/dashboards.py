"""Dashboards of the ingest benchmark: riders with a real account and a `/ws/live` socket on
one of the API processes, and what their sockets receive (notification device time to
arrival on the WebSocket, through the relay, RabbitMQ and the API's live hub).

Each watched rider registers through the API (`POST /api/auth/register`), gets a session
started for its owner through the API's own store (so the API's ownership index knows it),
takes a ticket from the API process it watches on and subscribes to that session. Rider i
watches on API process i mod N, so each API serves its share of the watched riders.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson

from adapters import live_message
from adapters.services.ownership_index import IndexedStore
from adapters.services.sessions import SessionService
from adapters.settings import Settings

PASSWORD = "bench-rider-password-1234"
MAX_WS_MESSAGE_BYTES = 1 << 20
SETUP_ATTEMPTS = 5
OPEN_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class WatchedRider:
    owner_id: str
    client_id: str
    session_id: str
    access_token: str
    api_url: str
    api_name: str  # api-<i>


async def _register(http: aiohttp.ClientSession, api_url: str) -> tuple[str, str]:
    for attempt in range(SETUP_ATTEMPTS):
        email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
        async with http.post(
            f"{api_url}/api/auth/register", json={"email": email, "password": PASSWORD}
        ) as response:
            body = await response.json()
            if response.status == 201:
                return str(body["user"]["id"]), str(body["access_token"])
            if response.status < 500 or attempt == SETUP_ATTEMPTS - 1:
                raise RuntimeError(f"registration failed: {response.status} {body}")
        await asyncio.sleep(1.0)
    raise AssertionError("unreachable")


async def register_riders(
    settings: Settings, api_urls: list[str], count: int
) -> list[WatchedRider]:
    """`count` riders with an account and a running session; rider i watches on API i mod N."""
    async with aiohttp.ClientSession() as http:
        accounts = await asyncio.gather(
            *(_register(http, api_urls[i % len(api_urls)]) for i in range(count))
        )
    store = IndexedStore(settings)
    try:
        service = SessionService(store)
        riders = []
        for index, (user_id, token) in enumerate(accounts):
            client_id = f"bench-ws-{uuid.uuid4().hex[:10]}"
            session = service.start(
                athlete_id=uuid.uuid4(),
                owner_id=uuid.UUID(user_id),
                client_id=client_id,
                ftp_w=250,
            )
            riders.append(
                WatchedRider(
                    user_id,
                    client_id,
                    str(session.id),
                    token,
                    api_urls[index % len(api_urls)],
                    f"api-{index % len(api_urls)}",
                )
            )
    finally:
        store.close()
    return riders


@dataclass
class Dashboards:
    """The open sockets and what they received."""

    latencies: list[float] = field(default_factory=list)
    samples_by_api: Counter[str] = field(default_factory=Counter)
    unique_samples: set[tuple[str, int]] = field(default_factory=set)  # (session, seq)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _http: aiohttp.ClientSession | None = None

    async def open(self, riders: list[WatchedRider]) -> None:
        # No pool limit: each socket holds a connection (aiohttp lends at most 100 by default).
        self._http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        ready = [asyncio.get_running_loop().create_future() for _ in riders]
        self._tasks = [
            asyncio.create_task(self._watch(rider, started))
            for rider, started in zip(riders, ready, strict=True)
        ]
        await asyncio.wait_for(asyncio.gather(*ready), OPEN_TIMEOUT_S)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._http is not None:
            await self._http.close()

    async def _watch(self, rider: WatchedRider, subscribed: asyncio.Future[None]) -> None:
        try:
            for attempt in range(SETUP_ATTEMPTS):
                try:
                    await self._follow(rider, subscribed)
                    return
                except (aiohttp.ClientError, KeyError, ValueError):
                    # A shared server short of connections answers 500 now and then.
                    if subscribed.done() or attempt == SETUP_ATTEMPTS - 1:
                        raise
                    await asyncio.sleep(1.0)
        except BaseException as error:
            if not subscribed.done():
                subscribed.set_exception(RuntimeError(f"{rider.api_name}: {error!r}"))
            raise

    async def _follow(self, rider: WatchedRider, subscribed: asyncio.Future[None]) -> None:
        assert self._http is not None
        async with self._http.post(
            f"{rider.api_url}/api/ws-tickets",
            headers={"authorization": f"Bearer {rider.access_token}"},
        ) as response:
            ticket = (await response.json())["ticket"]
        async with self._http.ws_connect(
            f"{rider.api_url}/ws/live", max_msg_size=MAX_WS_MESSAGE_BYTES, heartbeat=20
        ) as ws:
            await ws.send_json({"type": "auth", "ticket": ticket})
            await ws.send_json({"type": "subscribe", "session_id": rider.session_id})
            async for message in ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                arrived = time.time()
                data: dict[str, Any] = orjson.loads(message.data)
                kind = data.get("type")
                if kind == "subscribed":
                    with contextlib.suppress(asyncio.InvalidStateError):
                        subscribed.set_result(None)
                elif kind == "live" and data["data"].get("kind") == live_message.KIND_SAMPLE:
                    item = data["data"]
                    self.latencies.append(arrived - float(item["t"]))
                    self.samples_by_api[rider.api_name] += 1
                    self.unique_samples.add((item["session_id"], int(item["seq"])))
        if not subscribed.done():
            raise ValueError(f"socket closed before it subscribed: {ws.close_code}")
