"""The demo rider of `wattlog up`: everything a real rider does, through the real API.

It signs in a development account (created on the first run, with an address of its own;
email and password are kept in `.wattlog/demo-account.json` so later runs sign in again),
makes sure the account has an athlete, registers a desktop bridge (which gets its own
RabbitMQ user), starts a session with a structured workout as long as the ride, and hands
the bridge's credentials to `wattlog bridge --simulate`. The ingest worker runs the
workout and sends its ERG targets to the simulated trainer; at the end the rider finishes
the session and revokes the bridge (which deletes its RabbitMQ user).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from domain.workouts import Step, Workout

DEMO_EMAIL_DOMAIN = "wattlog.local"
# (minutes into the ride, ERG target in watts)
ERG_PLAN = ((0.0, 160), (2.0, 240), (4.0, 170), (6.0, 260), (8.0, 150))


def demo_workout(minutes: float) -> dict[str, object]:
    """The ERG plan as a workout of `minutes`: each target until the next (or the end)."""
    ride_s = minutes * 60
    starts = [(at * 60, watts) for at, watts in ERG_PLAN if at * 60 < ride_s]
    ends = [start for start, _ in starts[1:]] + [ride_s]
    steps = tuple(
        Step(start, end - start, "steady", watts, watts, "watts", None)
        for (start, watts), end in zip(starts, ends, strict=True)
    )
    return Workout("Demo ride", "wattlog up's ERG plan", "wattlog", "bike", steps).as_dict()


class DemoError(RuntimeError):
    """The API refused a step of the demo ride (the message has the API's answer)."""


@dataclass(frozen=True)
class DemoRide:
    email: str
    password: str
    session_id: str
    bridge_id: str
    bridge_env: dict[str, str]


class DemoRider:
    def __init__(self, api_url: str, state_dir: Path) -> None:
        self._api = api_url.rstrip("/")
        self._account_file = state_dir / "demo-account.json"
        self._headers: dict[str, str] = {}

    async def wait_until_ready(self, http: aiohttp.ClientSession, within_s: float = 60) -> None:
        deadline = time.monotonic() + within_s
        while True:
            try:
                async with http.get(f"{self._api}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise DemoError(f"the API at {self._api} did not become ready in {within_s:.0f}s")
            await asyncio.sleep(0.5)

    async def start(self, http: aiohttp.ClientSession, minutes: float) -> DemoRide:
        email, password = await self._sign_in(http)
        athletes = await self._call(http, "GET", "/api/athletes")
        athlete = (
            _items(athletes)[0]
            if _items(athletes)
            else await self._call(
                http, "POST", "/api/athletes", {"name": "Demo Rider", "ftp_w": 250, "weight_kg": 72}
            )
        )
        bridge = await self._call(
            http,
            "POST",
            "/api/bridges",
            {"name": f"demo-{secrets.token_hex(3)}", "kind": "desktop"},
        )
        session = await self._call(
            http,
            "POST",
            "/api/sessions",
            {
                "athlete_id": athlete["id"],
                "bridge_id": bridge["id"],
                "workout": demo_workout(minutes),
            },
        )
        credentials = bridge["credentials"]
        return DemoRide(
            email=email,
            password=password,
            session_id=session["id"],
            bridge_id=bridge["id"],
            bridge_env={
                "WATTLOG_BRIDGE_CLIENT_ID": bridge["client_id"],
                "WATTLOG_BRIDGE_PASSWORD": credentials["password"],
                "WATTLOG_BRIDGE_AMQP_URL": credentials["amqp_url"],
            },
        )

    async def finish(self, http: aiohttp.ClientSession, ride: DemoRide) -> None:
        await self._call(http, "POST", f"/api/sessions/{ride.session_id}/finish")
        await self._call(http, "DELETE", f"/api/bridges/{ride.bridge_id}")

    async def _sign_in(self, http: aiohttp.ClientSession) -> tuple[str, str]:
        if self._account_file.exists():
            account = json.loads(self._account_file.read_text())
            tokens = await self._call(http, "POST", "/api/auth/login", account)
        else:
            # An address of its own per checkout: another checkout's account on the same
            # database would answer "email taken", and its password is not ours to know.
            email = f"rider-{secrets.token_hex(3)}@{DEMO_EMAIL_DOMAIN}"
            account = {"email": email, "password": secrets.token_urlsafe(12)}
            tokens = await self._call(http, "POST", "/api/auth/register", account)
            self._account_file.parent.mkdir(parents=True, exist_ok=True)
            self._account_file.write_text(json.dumps(account))
            self._account_file.chmod(0o600)
        tokens = tokens.get("tokens", tokens)
        self._headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        return account["email"], account["password"]

    async def _call(
        self, http: aiohttp.ClientSession, method: str, path: str, body: Any = None
    ) -> Any:
        async with http.request(
            method, self._api + path, json=body, headers=self._headers
        ) as response:
            if response.status >= 300:
                raise DemoError(f"{method} {path} -> {response.status}: {await response.text()}")
            return None if response.status == 204 else await response.json()


def _items(listing: Any) -> list[dict[str, Any]]:
    if isinstance(listing, dict):
        for key in ("athletes", "items"):
            if isinstance(listing.get(key), list):
                return listing[key]  # type: ignore[no-any-return]
        return []
    return list(listing)
