"""`/api/auth/*` and `/api/me`: register, log in, refresh, log out, list and revoke devices."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from aiohttp import web

from adapters.api.auth.passwords import MAX_LENGTH, WeakPassword, check_policy
from adapters.api.auth.refresh import MAX_DEVICE_LENGTH, IssuedRefreshToken, RefreshRefused
from adapters.api.auth.throttle import Throttled
from adapters.api.auth.users import MAX_EMAIL_LENGTH, EmailTaken, InvalidEmail, normalise_email
from adapters.api.client_address import client_address
from adapters.api.keys import (
    ACCESS_TOKENS,
    LOGIN_THROTTLE,
    PASSWORDS,
    REFRESH_TOKENS,
    SETTINGS,
    USER_ID,
    USERS,
)
from adapters.http.errors import Conflict, InvalidField, NotFound, TooManyRequests, Unauthorized
from adapters.http.validation import JsonBody, json_body, path_uuid

log = logging.getLogger(__name__)

DEFAULT_DEVICE = "unnamed device"
WRONG_CREDENTIALS = "the email or the password is wrong"


def _tokens(request: web.Request, issued: IssuedRefreshToken) -> dict[str, Any]:
    return {
        "token_type": "Bearer",
        "access_token": request.app[ACCESS_TOKENS].issue(issued.user_id),
        "expires_in": request.app[SETTINGS].access_token_ttl_s,
        "refresh_token": issued.token,
        "device_id": str(issued.device_id),
        "user_id": str(issued.user_id),
    }


def _credentials(body: JsonBody) -> tuple[str, str, str]:
    email = body.text("email", max_length=MAX_EMAIL_LENGTH)
    # Long enough to reject over-long passwords with a clear message, bounded for hashing.
    password = body.text("password", max_length=4 * MAX_LENGTH, allow_controls=True)
    device = body.optional_text("device", max_length=MAX_DEVICE_LENGTH, default=DEFAULT_DEVICE)
    body.finish()
    return email, password, device or DEFAULT_DEVICE


async def register(request: web.Request) -> web.Response:
    raw_email, password, device = _credentials(await json_body(request))
    try:
        email = normalise_email(raw_email)
    except InvalidEmail as error:
        raise InvalidField(str(error), field="email") from None
    try:
        check_policy(password, email)
    except WeakPassword as error:
        raise InvalidField(str(error), field="password", code="weak_password") from None
    password_hash = await request.app[PASSWORDS].hash(password)
    try:
        user = await request.app[USERS].create(email, password_hash)
    except EmailTaken:
        raise Conflict(
            "an account with this email exists", field="email", code="email_taken"
        ) from None
    log.info("user registered", extra={"user_id": str(user.id)})
    issued = await request.app[REFRESH_TOKENS].issue(user.id, device)
    return web.json_response(
        {"user": {"id": str(user.id), "email": user.email}, **_tokens(request, issued)}, status=201
    )


async def login(request: web.Request) -> web.Response:
    raw_email, password, device = _credentials(await json_body(request))
    email = raw_email.strip().lower()
    address = client_address(request)
    throttle = request.app[LOGIN_THROTTLE]
    try:
        await throttle.claim(email, address)
    except Throttled as error:
        raise TooManyRequests(
            f"too many login attempts; try again in {error.retry_after_s} s",
            error.retry_after_s,
        ) from None
    passwords = request.app[PASSWORDS]
    user = await request.app[USERS].by_email(email)
    # An unknown email is verified against a dummy hash: same answer, same time.
    verified = await passwords.verify(user.password_hash if user else None, password)
    if user is None or not verified:
        log.info("login failed", extra={"address": address})
        raise Unauthorized(WRONG_CREDENTIALS, code="invalid_credentials")
    await throttle.succeeded(email, address)
    if passwords.needs_rehash(user.password_hash):
        await request.app[USERS].replace_hash(
            user.id, user.password_hash, await passwords.hash(password)
        )
        log.info("password rehashed with the current parameters", extra={"user_id": str(user.id)})
    issued = await request.app[REFRESH_TOKENS].issue(user.id, device)
    return web.json_response(_tokens(request, issued))


async def refresh(request: web.Request) -> web.Response:
    body = await json_body(request)
    token = body.text("refresh_token", max_length=200)
    body.finish()
    try:
        issued = await request.app[REFRESH_TOKENS].rotate(token)
    except RefreshRefused as refused:
        if refused.reused:
            log.warning("refresh token reused: device revoked")
            raise Unauthorized(
                "this refresh token was already used; the device has been signed out",
                code="refresh_token_reused",
            ) from None
        raise Unauthorized(
            "the refresh token is invalid, expired or revoked", code="invalid_refresh_token"
        ) from None
    return web.json_response(_tokens(request, issued))


async def logout(request: web.Request) -> web.Response:
    body = await json_body(request)
    token = body.text("refresh_token", max_length=200)
    body.finish()
    await request.app[REFRESH_TOKENS].revoke_by_token(token)
    return web.Response(status=204)


async def me(request: web.Request) -> web.Response:
    user = await request.app[USERS].by_id(request[USER_ID])
    if user is None:
        raise Unauthorized("the account no longer exists", code="invalid_token")
    return web.json_response({"id": str(user.id), "email": user.email})


async def list_devices(request: web.Request) -> web.Response:
    devices = await request.app[REFRESH_TOKENS].devices(request[USER_ID])
    return web.json_response({"devices": [device.as_json() for device in devices]})


async def revoke_device(request: web.Request) -> web.Response:
    device_id: UUID = path_uuid(request, "device_id", "device")
    if not await request.app[REFRESH_TOKENS].revoke_device(request[USER_ID], device_id):
        raise NotFound("no such device")
    return web.Response(status=204)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/auth/register", register)
    app.router.add_post("/api/auth/login", login)
    app.router.add_post("/api/auth/refresh", refresh)
    app.router.add_post("/api/auth/logout", logout)
    app.router.add_get("/api/auth/devices", list_devices)
    app.router.add_delete("/api/auth/devices/{device_id}", revoke_device)
    app.router.add_get("/api/me", me)
