"""Every `/api/` route needs a valid access token unless it is listed as public here."""

from __future__ import annotations

from aiohttp import web

from adapters.api.auth.tokens import InvalidAccessToken
from adapters.api.keys import ACCESS_TOKENS, USER_ID
from adapters.http.errors import Handler, Unauthorized

PUBLIC_PATHS = frozenset(
    {
        "/api/auth/register",
        "/api/auth/login",
        "/api/auth/refresh",
        "/api/auth/logout",
        "/api/openapi.json",
    }
)


def bearer_token(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("an access token is required (Authorization: Bearer ...)")
    return token.strip()


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith("/api/") and request.path not in PUBLIC_PATHS:
        try:
            request[USER_ID] = request.app[ACCESS_TOKENS].verify(bearer_token(request))
        except InvalidAccessToken:
            raise Unauthorized(
                "the access token is invalid or expired", code="invalid_token"
            ) from None
    return await handler(request)
