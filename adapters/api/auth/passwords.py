"""Password policy and argon2id hashing, run in a thread so the event loop never waits.

The policy: 8 to 128 characters, not one of the 1,000 most common passwords, not the
account's email address. Hashes carry their parameters; a hash made with other parameters
than the current `PasswordHasher`'s is replaced at the next successful login.
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import Executor
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 128


class WeakPassword(ValueError):
    """The password does not meet the policy; the message says why."""


@functools.cache
def common_passwords() -> frozenset[str]:
    text = (resources.files("adapters.api.auth") / "common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line and not line.startswith("#")
    )


def check_policy(password: str, email: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"password must have at most {MAX_LENGTH} characters")
    lowered = password.lower()
    if lowered in common_passwords():
        raise WeakPassword("password is one of the most common passwords; choose another")
    if lowered in {email.lower(), email.split("@", 1)[0].lower()}:
        raise WeakPassword("password must not be the email address")


class Passwords:
    """Hashes and verifies in `executor`; verifying for an unknown user costs the same."""

    def __init__(self, executor: Executor, hasher: PasswordHasher | None = None) -> None:
        self._executor = executor
        self._hasher = hasher or PasswordHasher()
        # Verified against when the account does not exist, so that both answers take
        # as long as a real verification.
        self._dummy_hash = self._hasher.hash("wattlog-no-such-user")

    async def hash(self, password: str) -> str:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._hasher.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        """True only if the user exists and the password matches its hash."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._verify, stored_hash, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)

    def _verify(self, stored_hash: str | None, password: str) -> bool:
        try:
            self._hasher.verify(stored_hash or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        return stored_hash is not None
