"""`/ws/bridge`: the phone bridge gateway.

Protocol (JSON text frames):
  phone:  {"type": "auth", "ticket": "...", "client_id": "<bridge id>"}
  server: {"type": "ready", "client_id": "..."}
  phone:  a bridge envelope, exactly as the desktop bridge publishes it (wire/envelope.py)
  server: {"type": "confirm", "correlation_id": "..."}  the broker has it: drop it from the outbox
          {"type": "rejected", "correlation_id": ..., "reason": "..."}  malformed: never resend
          {"type": "retry", "correlation_id": "...", "reason": "..."}  not taken now: resend later
          {"type": "command", ...}  a trainer command (the relay's command message)
A client id that is not one of the user's active bridges, or an envelope in the name of
another client, closes the socket with 4003; so does revoking the bridge.

Samples are forwarded on a cadence, as the desktop bridge sends them: the sample envelopes a
phone sends within `WATTLOG_GATEWAY_SEND_INTERVAL_MS` (500 ms; 0: each at once) go to the
broker as one envelope, and each of them is confirmed once the broker confirmed that one.
An acknowledgement goes at once, after the samples that came before it. Every envelope
costs the broker and the ingest worker far more than a sample in it (docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from uuid import UUID

import orjson
from aio_pika.exceptions import AMQPError, DeliveryError
from aiohttp import WSMsgType, web

from adapters.api.keys import AMQP, DB_POOL, METRICS, OPEN_SOCKETS, SETTINGS
from adapters.api.ws.bridge_link import BridgeLink
from adapters.http.handshake import (
    CLOSE_FORBIDDEN,
    CLOSE_TRY_AGAIN,
    authenticate,
    check_origin,
)
from adapters.http.ownership import OwnedBridge, bridge_by_client_id
from wire.envelope import Envelope, EnvelopeError, encode_envelope, parse_envelope
from wire.limits import MAX_SAMPLES_PER_ENVELOPE

log = logging.getLogger(__name__)

HEARTBEAT_S = 20.0
MAX_ENVELOPE_BYTES = 1024 * 1024
REVOCATION_CHECK_S = 5.0


class Gateway:
    """One phone's socket: forwards envelopes up and commands down."""

    def __init__(
        self, request: web.Request, ws: web.WebSocketResponse, user_id: UUID, bridge: OwnedBridge
    ) -> None:
        self._request = request
        self._ws = ws
        self._user_id = user_id
        self._bridge = bridge
        self._checked_at = time.monotonic()
        self._interval_s = request.app[SETTINGS].gateway_send_interval_ms / 1000
        self._held: list[tuple[Envelope, bytes]] = []  # sample envelopes not yet published
        self._held_samples = 0
        self._timer: asyncio.Task[None] | None = None
        self._publishing = asyncio.Lock()  # one publish at a time: envelopes stay in order

    async def run(self) -> None:
        app = self._request.app
        client_id = self._bridge.client_id
        async with BridgeLink(app[AMQP], app[SETTINGS], client_id, self._send_command) as link:
            await self._ws.send_str(
                orjson.dumps({"type": "ready", "client_id": client_id}).decode()
            )
            try:
                async for message in self._ws:
                    if message.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                        continue
                    body = message.data.encode() if message.type == WSMsgType.TEXT else message.data
                    if not await self._forward(link, body):
                        break
            finally:
                if self._timer is not None:
                    self._timer.cancel()
                # What the phone sent before it went: published (it resends what was not
                # confirmed; the server drops the copies).
                with contextlib.suppress(ConnectionError):
                    await self._flush(link)

    async def _forward(self, link: BridgeLink, body: bytes) -> bool:
        metrics = self._request.app[METRICS]
        try:
            envelope = parse_envelope(body)
        except EnvelopeError as error:
            metrics.gateway_envelopes.inc(result="rejected")
            await self._reply("rejected", _correlation_id(body), str(error))
            return True
        if envelope.client_id != self._bridge.client_id or not await self._still_active():
            metrics.gateway_envelopes.inc(result="forbidden")
            await self._ws.close(code=CLOSE_FORBIDDEN, message=b"not your bridge")
            return False
        if envelope.kind != "samples" or self._interval_s == 0:
            await self._flush(link)
            await self._publish(link, [(envelope, body)])
            return True
        if self._held_samples + len(envelope.samples) > MAX_SAMPLES_PER_ENVELOPE:
            await self._flush(link)
        self._held.append((envelope, body))
        self._held_samples += len(envelope.samples)
        if self._timer is None:
            self._timer = asyncio.create_task(self._flush_later(link))
        return True

    async def _flush_later(self, link: BridgeLink) -> None:
        await asyncio.sleep(self._interval_s)
        self._timer = None
        with contextlib.suppress(ConnectionError):
            await self._flush(link)

    async def _flush(self, link: BridgeLink) -> None:
        held, self._held, self._held_samples = self._held, [], 0
        if held:
            await self._publish(link, held)

    async def _publish(self, link: BridgeLink, envelopes: list[tuple[Envelope, bytes]]) -> None:
        """Publishes the envelopes as one, then confirms each (or asks for each again)."""
        if len(envelopes) == 1:
            (first, body), correlation_id = envelopes[0], envelopes[0][0].correlation_id
        else:
            first = envelopes[0][0]
            correlation_id = uuid.uuid4().hex
            body = encode_envelope(
                Envelope(
                    client_id=first.client_id,
                    sent_at=max(envelope.sent_at for envelope, _ in envelopes),
                    correlation_id=correlation_id,
                    samples=tuple(s for envelope, _ in envelopes for s in envelope.samples),
                )
            )
        metrics = self._request.app[METRICS]
        async with self._publishing:
            try:
                await link.publish(body, correlation_id)
            except (DeliveryError, AMQPError, TimeoutError) as error:
                log.warning("envelope not published", extra={"error": repr(error)})
                for envelope, _ in envelopes:
                    metrics.gateway_envelopes.inc(result="retry")
                    await self._reply(
                        "retry", envelope.correlation_id, "the broker did not take it"
                    )
                return
        for envelope, _ in envelopes:
            metrics.gateway_envelopes.inc(result="confirmed")
            await self._reply("confirm", envelope.correlation_id)

    async def _still_active(self) -> bool:
        # Revoking elsewhere (another API process) is noticed within REVOCATION_CHECK_S.
        if time.monotonic() - self._checked_at < REVOCATION_CHECK_S:
            return True
        bridge = await bridge_by_client_id(
            self._request.app[DB_POOL], self._user_id, self._bridge.client_id
        )
        self._checked_at = time.monotonic()
        return bridge is not None and not bridge.is_revoked

    async def _reply(
        self, kind: str, correlation_id: str | None, reason: str | None = None
    ) -> None:
        reply: dict[str, str | None] = {"type": kind, "correlation_id": correlation_id}
        if reason is not None:
            reply["reason"] = reason
        await self._ws.send_str(orjson.dumps(reply).decode())

    async def _send_command(self, body: bytes) -> None:
        if self._ws.closed:
            raise ConnectionError("the phone is gone")
        command = orjson.loads(body)
        await self._ws.send_str(orjson.dumps({"type": "command", **command}).decode())


def _correlation_id(body: bytes) -> str | None:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    value = data.get("correlation_id") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


async def bridge_socket(request: web.Request) -> web.WebSocketResponse:
    check_origin(request)
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_S, max_msg_size=MAX_ENVELOPE_BYTES)
    await ws.prepare(request)
    auth = await authenticate(request, ws)
    if auth is None:
        return ws
    client_id = auth.hello.get("client_id")
    bridge = None
    if isinstance(client_id, str):
        bridge = await bridge_by_client_id(request.app[DB_POOL], auth.user_id, client_id)
    if bridge is None or bridge.is_revoked:
        await ws.close(code=CLOSE_FORBIDDEN, message=b"not your bridge")
        return ws
    sockets = request.app[OPEN_SOCKETS]
    sockets.add(ws, "bridge", bridge.client_id)
    try:
        await Gateway(request, ws, auth.user_id, bridge).run()
    except ConnectionError:
        pass  # the phone went away
    except AMQPError as error:
        log.warning("gateway socket ended by the broker", extra={"error": repr(error)})
        await ws.close(code=CLOSE_TRY_AGAIN, message=b"the broker is unavailable")
    finally:
        sockets.discard(ws)
        if not ws.closed:
            await ws.close()
    return ws


def setup(app: web.Application) -> None:
    app.router.add_get("/ws/bridge", bridge_socket)
