"""The `users` table: accounts with a normalised email and an argon2id password hash."""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID, uuid4

from psycopg.errors import UniqueViolation
from psycopg_pool import AsyncConnectionPool

MAX_EMAIL_LENGTH = 254
# Deliberately loose: one @, something on each side, a dot in the domain, no spaces.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class EmailTaken(Exception):
    """An account with this email already exists."""


class InvalidEmail(ValueError):
    """The text is not an email address."""


@dataclass(frozen=True)
class User:
    id: UUID
    email: str
    password_hash: str


def normalise_email(email: str) -> str:
    normalised = email.strip().lower()
    if len(normalised) > MAX_EMAIL_LENGTH or not EMAIL_PATTERN.match(normalised):
        raise InvalidEmail("email must be an email address")
    return normalised


class Users:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    async def create(self, email: str, password_hash: str) -> User:
        user = User(uuid4(), email, password_hash)
        try:
            async with self._pool.connection() as conn:
                await conn.execute(
                    "INSERT INTO users (id, email, password_hash) VALUES (%s, %s, %s)",
                    (user.id, user.email, user.password_hash),
                )
        except UniqueViolation:
            raise EmailTaken(email) from None
        return user

    async def by_email(self, email: str) -> User | None:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                "SELECT id, email, password_hash FROM users WHERE email = %s", (email,)
            )
            row = await cursor.fetchone()
        return None if row is None else User(row[0], row[1], row[2])

    async def by_id(self, user_id: UUID) -> User | None:
        async with self._pool.connection() as conn:
            cursor = await conn.execute(
                "SELECT id, email, password_hash FROM users WHERE id = %s", (user_id,)
            )
            row = await cursor.fetchone()
        return None if row is None else User(row[0], row[1], row[2])

    async def replace_hash(self, user_id: UUID, old_hash: str, new_hash: str) -> None:
        # Only if nobody changed it meanwhile: a concurrent login rehashing too is harmless.
        async with self._pool.connection() as conn:
            await conn.execute(
                "UPDATE users SET password_hash = %s, updated_at = now()"
                " WHERE id = %s AND password_hash = %s",
                (new_hash, user_id, old_hash),
            )
