"""`/api/bridges`: register, list, show and revoke a user's bridge clients.

A desktop bridge gets its own RabbitMQ user (adapters/amqp/accounts.py), whose password is
generated here and returned once, in the registration response; only RabbitMQ keeps it
(hashed). A phone bridge talks to the `/ws/bridge` gateway instead and gets no broker
account. Both get their command queue declared at registration.

Revoking records `Revoked` first (from then on the gateway refuses the client), then
deletes the broker user, which makes RabbitMQ close the bridge's open connections, then
its command queue. Every step is idempotent, so a revoke that failed half-way is
completed by repeating it.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit
from uuid import UUID, uuid4

from aiohttp import ClientError, web
from aiormq.exceptions import AMQPError

from adapters.amqp import names
from adapters.amqp.accounts import ManagementApiError
from adapters.amqp.topology import declare_command_queue, delete_command_queue
from adapters.api.keys import (
    ADMIN_CHANNEL,
    BRIDGE_ACCOUNTS,
    BRIDGES,
    DB_POOL,
    OPEN_SOCKETS,
    SETTINGS,
    USER_ID,
)
from adapters.http.errors import BadGateway, InvalidField
from adapters.http.handshake import CLOSE_FORBIDDEN
from adapters.http.ownership import BRIDGE_COLUMNS, OwnedBridge, bridge_of
from adapters.http.threads import in_thread
from adapters.http.validation import json_body, path_uuid
from adapters.settings import Settings
from domain import bridges as rules
from domain.bridges import BridgeClient

log = logging.getLogger(__name__)

REVOKE_REASON = "revoked by its owner"
INCLUDE_REVOKED = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


def bridge_json(bridge: OwnedBridge) -> dict[str, Any]:
    return {
        "id": str(bridge.id),
        "client_id": bridge.client_id,
        "name": bridge.name,
        "kind": bridge.kind,
        "registered_at": bridge.registered_at.isoformat(),
        "revoked_at": None if bridge.revoked_at is None else bridge.revoked_at.isoformat(),
    }


def credentials_json(
    settings: Settings, client_id: str, username: str, password: str
) -> dict[str, Any]:
    parts = urlsplit(settings.amqp_url)
    host = parts.hostname or "localhost"
    netloc = f"{quote(username, safe='')}:{quote(password, safe='')}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return {
        "username": username,
        "password": password,
        "vhost": settings.amqp_vhost,
        "amqp_url": urlunsplit((parts.scheme, netloc, parts.path, "", "")),
        "exchange": names.EVENTS_EXCHANGE,
        "routing_key": names.events_routing_key(client_id),
        "command_queue": names.command_queue(client_id),
    }


async def _undo_registration(request: web.Request, kind: str, client_id: str) -> None:
    if kind == "desktop":
        try:
            await request.app[BRIDGE_ACCOUNTS].delete(client_id)
        except (ManagementApiError, ClientError, OSError) as error:
            log.error(
                "bridge account of a failed registration not deleted",
                extra={"client_id": client_id, "error": str(error)},
            )
    try:
        await delete_command_queue(request.app[ADMIN_CHANNEL], client_id)
    except (AMQPError, OSError, TimeoutError) as error:
        log.error(
            "command queue of a failed registration not deleted",
            extra={"client_id": client_id, "error": str(error)},
        )


async def register(request: web.Request) -> web.Response:
    body = await json_body(request)
    name = body.text("name", max_length=rules.MAX_NAME_LENGTH)
    kind = body.choice("kind", tuple(sorted(rules.BRIDGE_KINDS)))
    body.finish()
    settings, user_id = request.app[SETTINGS], request[USER_ID]
    bridge = BridgeClient.register(owner_id=user_id, name=name, kind=kind, bridge_id=uuid4())
    client_id = bridge.client_id
    accounts = request.app[BRIDGE_ACCOUNTS]
    credentials: dict[str, Any] | None = None
    try:
        if kind == "desktop":
            password = secrets.token_urlsafe(24)
            username = await accounts.create(client_id, password)
            credentials = credentials_json(settings, client_id, username, password)
        await declare_command_queue(request.app[ADMIN_CHANNEL], settings, client_id)
        await in_thread(request.app[BRIDGES].add, bridge)
    except BaseException as error:
        # Nothing half-made stays behind: without the event, no broker account and no
        # command queue either (the id is new, so the queue can only be this attempt's).
        await _undo_registration(request, kind, client_id)
        if isinstance(error, ManagementApiError | ClientError):
            log.error("bridge account not created", extra={"error": str(error)})
            raise BadGateway("the message broker refused to create the bridge's account") from None
        raise
    log.info("bridge registered", extra={"client_id": client_id, "kind": kind})
    owned = await bridge_of(request.app[DB_POOL], user_id, bridge.id)
    response = bridge_json(owned)
    if credentials is not None:
        response["credentials"] = credentials
    return web.json_response(response, status=201)


async def list_bridges(request: web.Request) -> web.Response:
    flag = request.query.get("include_revoked", "false")
    if flag not in INCLUDE_REVOKED:
        raise InvalidField(
            f"include_revoked must be one of {', '.join(INCLUDE_REVOKED)}", field="include_revoked"
        )
    include_revoked = INCLUDE_REVOKED[flag]
    async with request.app[DB_POOL].connection() as conn:
        cursor = await conn.execute(
            f"SELECT {BRIDGE_COLUMNS} FROM user_bridges WHERE owner_id = %s"
            " AND (revoked_at IS NULL OR %s) ORDER BY registered_at",
            (request[USER_ID], include_revoked),
        )
        bridges = [OwnedBridge(*row) for row in await cursor.fetchall()]
    return web.json_response({"bridges": [bridge_json(b) for b in bridges]})


async def get(request: web.Request) -> web.Response:
    bridge_id: UUID = path_uuid(request, "bridge_id", "bridge")
    bridge = await bridge_of(request.app[DB_POOL], request[USER_ID], bridge_id)
    return web.json_response(bridge_json(bridge))


async def revoke(request: web.Request) -> web.Response:
    bridge_id: UUID = path_uuid(request, "bridge_id", "bridge")
    bridge = await bridge_of(request.app[DB_POOL], request[USER_ID], bridge_id)
    await in_thread(request.app[BRIDGES].revoke, bridge.id, REVOKE_REASON)
    await request.app[OPEN_SOCKETS].disconnect(
        bridge.client_id, CLOSE_FORBIDDEN, b"the bridge was revoked"
    )
    try:
        await request.app[BRIDGE_ACCOUNTS].delete(bridge.client_id)
    except (ManagementApiError, ClientError) as error:
        log.error("bridge account not deleted", extra={"error": str(error)})
        raise BadGateway(
            "the bridge is revoked, but the broker did not delete its account; repeat the request"
        ) from None
    try:
        await delete_command_queue(request.app[ADMIN_CHANNEL], bridge.client_id)
    except (AMQPError, OSError, TimeoutError) as error:
        log.error("bridge command queue not deleted", extra={"error": str(error)})
        raise BadGateway(
            "the bridge is revoked, but the broker did not delete its command queue;"
            " repeat the request"
        ) from None
    log.info("bridge revoked", extra={"client_id": bridge.client_id})
    return web.Response(status=204)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/bridges", register)
    app.router.add_get("/api/bridges", list_bridges)
    app.router.add_get("/api/bridges/{bridge_id}", get)
    app.router.add_delete("/api/bridges/{bridge_id}", revoke)
