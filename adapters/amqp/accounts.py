"""Per-bridge RabbitMQ accounts, through the management HTTP API.

A bridge's user may publish only to exchange `ble.events`, only with routing key
`ble.events.<its id>` (a topic permission), and read only its own command queue. It has no
configure rights at all (it declares nothing), and no access to the default exchange.
Deleting the user makes RabbitMQ close the bridge's open connections.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import aiohttp

from adapters.amqp import names
from adapters.settings import Settings
from wire.routing import bridge_username


class ManagementApiError(RuntimeError):
    """The management API refused or failed a request (the message has its status)."""


def bridge_permissions(client_id: str) -> dict[str, str]:
    return {
        "configure": "^$",
        "write": f"^{re.escape(names.EVENTS_EXCHANGE)}$",
        "read": f"^{re.escape(names.command_queue(client_id))}$",
    }


def bridge_topic_permissions(client_id: str) -> dict[str, str]:
    return {
        "exchange": names.EVENTS_EXCHANGE,
        "write": f"^{re.escape(names.events_routing_key(client_id))}$",
        "read": "^$",
    }


class BridgeAccounts:
    def __init__(self, settings: Settings, session: aiohttp.ClientSession) -> None:
        self._base = settings.rabbitmq_management_url.rstrip("/")
        self._vhost = quote(settings.amqp_vhost, safe="")
        self._headers = {
            "Authorization": aiohttp.encode_basic_auth(
                settings.rabbitmq_management_user, settings.rabbitmq_management_password
            )
        }
        self._session = session

    async def create(self, client_id: str, password: str) -> str:
        """Creates (or resets) the bridge's user; returns its username."""
        username = bridge_username(client_id)
        user = quote(username, safe="")
        await self._call("PUT", f"/api/users/{user}", {"password": password, "tags": ""})
        await self._call(
            "PUT", f"/api/permissions/{self._vhost}/{user}", bridge_permissions(client_id)
        )
        await self._call(
            "PUT",
            f"/api/topic-permissions/{self._vhost}/{user}",
            bridge_topic_permissions(client_id),
        )
        return username

    async def delete(self, client_id: str) -> None:
        """Deletes the user (a missing one is fine: deleting is idempotent)."""
        user = quote(bridge_username(client_id), safe="")
        await self._call("DELETE", f"/api/users/{user}", None, missing_ok=True)

    async def _call(
        self, method: str, path: str, body: dict[str, str] | None, missing_ok: bool = False
    ) -> None:
        async with self._session.request(
            method, self._base + path, json=body, headers=self._headers
        ) as response:
            if response.status == 404 and missing_ok:
                return
            if response.status >= 300:
                # The response text never holds the password: it is only in our request.
                raise ManagementApiError(
                    f"{method} {path} -> {response.status}: {(await response.text())[:200]}"
                )
