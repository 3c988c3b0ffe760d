"""Login throttling per account and per client address, with short delays, never lockouts.

Every login attempt first claims a slot, atomically in PostgreSQL (so all API processes
share the count and a burst of concurrent attempts cannot slip through together). The
first `free` attempts within the window are immediate; after that each attempt must wait
`2 ** (attempts - free)` seconds after the previous one, at most `max_delay_s`. An
attempt made too early is refused without checking the password, so guessing gets no
faster by trying harder. A successful login clears the account's count; the address's
count only forgets failures (a success is handed back). Counts are forgotten after
`WINDOW_S` without attempts. The worst an attacker can do to a real user is make them
wait `max_delay_s` between tries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from psycopg_pool import AsyncConnectionPool

WINDOW_S = 15 * 60

# clock_timestamp(), not now(): now() is when the transaction started, and a claim that
# waited for the row lock may have started before the claim it waited for; comparing its
# now() with that claim's times would refuse a free attempt.
_CLAIM = """
INSERT INTO login_throttle AS t (key, attempts, next_attempt_at, last_attempt_at)
VALUES (%(key)s, 1, clock_timestamp(), clock_timestamp())
ON CONFLICT (key) DO UPDATE SET
    attempts = CASE WHEN t.last_attempt_at < clock_timestamp() - make_interval(secs => %(window)s)
                    THEN 1 ELSE t.attempts + 1 END,
    next_attempt_at = CASE
        WHEN t.last_attempt_at < clock_timestamp() - make_interval(secs => %(window)s)
          OR t.attempts + 1 < %(free)s
        THEN clock_timestamp()
        ELSE clock_timestamp() + make_interval(secs => LEAST(%(max_delay)s::float8,
                                                 power(2, t.attempts + 1 - %(free)s)))
    END,
    last_attempt_at = clock_timestamp()
WHERE t.next_attempt_at <= clock_timestamp()
   OR t.last_attempt_at < clock_timestamp() - make_interval(secs => %(window)s)
RETURNING attempts
"""

_WAIT = (
    "SELECT extract(epoch FROM next_attempt_at - clock_timestamp()) FROM login_throttle"
    " WHERE key = %s"
)


@dataclass(frozen=True)
class Limit:
    prefix: str
    free: int


class Throttled(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many attempts; retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s


class LoginThrottle:
    def __init__(
        self, pool: AsyncConnectionPool, *, account_free: int, address_free: int, max_delay_s: int
    ) -> None:
        self._pool = pool
        self._account = Limit("account:", account_free)
        self._address = Limit("ip:", address_free)
        self._max_delay_s = max_delay_s

    async def claim(self, email: str, address: str) -> None:
        """Claim a login attempt for this account from this address, or raise Throttled."""
        await self._claim(self._address, address)
        await self._claim(self._account, email)

    async def succeeded(self, email: str, address: str) -> None:
        async with self._pool.connection() as conn:
            await conn.execute(
                "DELETE FROM login_throttle WHERE key = %s", (self._account.prefix + email,)
            )
            await conn.execute(
                "UPDATE login_throttle SET attempts = GREATEST(attempts - 1, 0) WHERE key = %s",
                (self._address.prefix + address,),
            )

    async def _claim(self, limit: Limit, name: str) -> None:
        key = limit.prefix + name
        params = {
            "key": key,
            "window": WINDOW_S,
            "free": limit.free,
            "max_delay": self._max_delay_s,
        }
        async with self._pool.connection() as conn:
            claimed = await (await conn.execute(_CLAIM, params)).fetchone()
            if claimed is not None:
                return
            row = await (await conn.execute(_WAIT, (key,))).fetchone()
        wait_s = float(row[0]) if row and row[0] is not None else 1.0
        raise Throttled(max(1, math.ceil(wait_s)))
