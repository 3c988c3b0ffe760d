"""Refresh tokens: random, stored only as SHA-256, one row per device, rotated on every use.

A device's row holds the hash of its current token. Using it replaces that hash with the
new token's and files the old hash under `rotated_refresh_tokens`. Presenting a rotated
token again means two parties hold the device's tokens (one of them stole it): the whole
device (the token family) is revoked, and both must log in again.

One exception, the grace period: a token rotated away less than `reuse_grace_s` ago still
refreshes the device (its current token is rotated). That is a client that never received
the answer to its refresh (a tab closed or navigated away mid-request, a dropped
connection) or tabs racing; it is not yet evidence of theft. A thief using a stolen token
inside that window does not go unnoticed for long: the owner's next refresh, minutes
later, presents a token rotated away by the thief's use, and the device is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

MAX_DEVICE_LENGTH = 100


class RefreshRefused(Exception):
    """The refresh token cannot be used; `reused` says whether it had been rotated away."""

    def __init__(self, reused: bool) -> None:
        super().__init__("refresh token reused" if reused else "refresh token invalid")
        self.reused = reused


@dataclass(frozen=True)
class IssuedRefreshToken:
    token: str
    device_id: UUID
    user_id: UUID


@dataclass(frozen=True)
class Device:
    id: UUID
    device: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "device": self.device,
            "created_at": self.created_at.isoformat(),
            "last_used_at": self.last_used_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
        }


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class RefreshTokens:
    def __init__(self, pool: AsyncConnectionPool, ttl_s: int, reuse_grace_s: int) -> None:
        self._pool = pool
        self._ttl_s = ttl_s
        self._reuse_grace_s = reuse_grace_s

    async def issue(self, user_id: UUID, device: str) -> IssuedRefreshToken:
        """A new device (token family) for a fresh login."""
        token, device_id = new_token(), uuid4()
        async with self._pool.connection() as conn:
            await conn.execute(
                "INSERT INTO refresh_tokens (id, user_id, device, token_hash, expires_at)"
                " VALUES (%s, %s, %s, %s, now() + make_interval(secs => %s))",
                (device_id, user_id, device[:MAX_DEVICE_LENGTH], token_hash(token), self._ttl_s),
            )
        return IssuedRefreshToken(token, device_id, user_id)

    async def rotate(self, token: str) -> IssuedRefreshToken:
        presented, fresh = token_hash(token), new_token()
        async with self._pool.connection() as conn, conn.transaction():
            issued = await self._replace(conn, fresh, "token_hash = %s", presented)
            if issued is not None:
                return issued
            cursor = await conn.execute(
                "SELECT device_id, rotated_at > now() - make_interval(secs => %s)"
                " FROM rotated_refresh_tokens WHERE token_hash = %s",
                (self._reuse_grace_s, presented),
            )
            rotated = await cursor.fetchone()
            if rotated is None:
                raise RefreshRefused(reused=False)
            device_id, in_grace = rotated
            if in_grace:
                issued = await self._replace(conn, fresh, "id = %s", device_id)
                if issued is not None:
                    return issued
            await conn.execute(
                "UPDATE refresh_tokens SET revoked_at = now(), revoke_reason = 'reuse'"
                " WHERE id = %s AND revoked_at IS NULL",
                (device_id,),
            )
        raise RefreshRefused(reused=True)

    async def _replace(
        self, conn: AsyncConnection, fresh: str, where: str, key: object
    ) -> IssuedRefreshToken | None:
        """Give the live device row `fresh` as its token and file the replaced one away."""
        cursor = await conn.execute(
            "SELECT id, user_id, token_hash FROM refresh_tokens"
            f" WHERE {where} AND revoked_at IS NULL AND expires_at > now() FOR UPDATE",
            (key,),
        )
        row = await cursor.fetchone()
        if row is None:
            return None
        device_id, user_id, replaced = row
        await conn.execute(
            "UPDATE refresh_tokens SET token_hash = %s, last_used_at = now(),"
            " expires_at = now() + make_interval(secs => %s) WHERE id = %s",
            (token_hash(fresh), self._ttl_s, device_id),
        )
        await conn.execute(
            "INSERT INTO rotated_refresh_tokens (token_hash, device_id) VALUES (%s, %s)",
            (replaced, device_id),
        )
        return IssuedRefreshToken(fresh, device_id, user_id)

    async def revoke_by_token(self, token: str) -> None:
        async with self._pool.connection() as conn:
            await conn.execute(
                "UPDATE refresh_tokens SET revoked_at = now(), revoke_reason = 'logout'"
                " WHERE token_hash = %s AND revoked_at IS NULL",
                (token_hash(token),),
            )

    async def revoke_device(self, user_id: UUID, device_id: UUID) -> bool:
        """Revoke one of the user's devices; False if the user has no such active device."""
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                "UPDATE refresh_tokens SET revoked_at = now(), revoke_reason = 'revoked'"
                " WHERE id = %s AND user_id = %s AND revoked_at IS NULL RETURNING id",
                (device_id, user_id),
            )
            return await cursor.fetchone() is not None

    async def devices(self, user_id: UUID) -> list[Device]:
        async with self._pool.connection() as conn:
            # Expired and revoked devices of this user go now; their history goes with them.
            await conn.execute(
                "DELETE FROM refresh_tokens WHERE user_id = %s"
                " AND (expires_at < now() - interval '1 day' OR revoked_at < now() - interval"
                " '30 days')",
                (user_id,),
            )
            cursor = await conn.execute(
                "SELECT id, device, created_at, last_used_at, expires_at FROM refresh_tokens"
                " WHERE user_id = %s AND revoked_at IS NULL AND expires_at > now()"
                " ORDER BY created_at",
                (user_id,),
            )
            return [Device(*row) for row in await cursor.fetchall()]
