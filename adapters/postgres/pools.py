"""Connection pools that get over a PostgreSQL restart by themselves.

Every pool checks a connection before lending it (psycopg_pool's `check_connection`: an
empty query), so a connection that died while idle is never handed to a request. The
synchronous pools (the event store's, the ingest route table's) first look at the socket:
a server that ends a connection (a restart, a failover, `pg_terminate_backend`) sends the
reason before it closes, which leaves the socket readable; an idle connection whose socket
has nothing to say is lent without the round trip (~100 us of CPU, once per ingest batch),
any other gets the empty query. When one fails the check, the server has most likely
dropped them all: the whole pool is checked at once and the dead ones replaced.
Without that the pool would find them one by one, waiting 1, 2, 4... s between attempts
(its backoff), and a request would time out behind a handful of dead connections.

Each loss and each recovery is logged once and counted (`losses`).
"""

from __future__ import annotations

import logging
import select
from typing import Any
from weakref import WeakKeyDictionary

from psycopg import AsyncConnection, Connection
from psycopg.pq import TransactionStatus
from psycopg_pool import AsyncConnectionPool, ConnectionPool

log = logging.getLogger(__name__)

_HEALTH: WeakKeyDictionary[Any, PoolHealth] = WeakKeyDictionary()


def connection_losses(pool: Any) -> int:
    """How many times this process saw the pool's connections die (0 for an unchecked pool)."""
    health = _HEALTH.get(pool)
    return health.losses if health is not None else 0


class PoolHealth:
    def __init__(self, name: str) -> None:
        self.name = name
        self.losses = 0
        self._lost = False

    def _on_failure(self, error: BaseException) -> bool:
        """Logs and counts a loss; True if this failure starts one (the pool should be purged)."""
        if self._lost:
            return False
        self._lost = True
        self.losses += 1
        log.warning(
            "database connection lost; checking the whole pool",
            extra={"pool": self.name, "error": repr(error), "losses": self.losses},
        )
        return True

    def _on_success(self) -> None:
        if self._lost:
            self._lost = False
            log.info("database connection restored", extra={"pool": self.name})


class SyncPoolHealth(PoolHealth):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.pool: ConnectionPool[Any] | None = None

    def check(self, conn: Connection[Any]) -> None:
        if _quietly_open(conn):
            self._on_success()
            return
        try:
            ConnectionPool.check_connection(conn)
        except Exception as error:
            if self._on_failure(error) and self.pool is not None:
                self.pool.check()
            raise
        self._on_success()


def _quietly_open(conn: Connection[Any]) -> bool:
    """Open, idle, and nothing to read on its socket (no reason for closing it waiting)."""
    if conn.closed or conn.info.transaction_status != TransactionStatus.IDLE:
        return False
    try:
        poller = select.poll()
        poller.register(conn.fileno(), select.POLLIN)
        return not poller.poll(0)
    except (OSError, ValueError):
        return False


class AsyncPoolHealth(PoolHealth):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.pool: AsyncConnectionPool[Any] | None = None

    async def check(self, conn: AsyncConnection[Any]) -> None:
        try:
            await AsyncConnectionPool.check_connection(conn)
        except Exception as error:
            if self._on_failure(error) and self.pool is not None:
                await self.pool.check()
            raise
        self._on_success()


def checked_pool(database_url: str, name: str, **kwargs: Any) -> ConnectionPool[Any]:
    """A psycopg_pool `ConnectionPool` (same arguments) with the checks above."""
    health = SyncPoolHealth(name)
    pool: ConnectionPool[Any] = ConnectionPool(database_url, check=health.check, **kwargs)
    health.pool = pool
    _HEALTH[pool] = health
    return pool


def checked_async_pool(database_url: str, name: str, **kwargs: Any) -> AsyncConnectionPool[Any]:
    """A psycopg_pool `AsyncConnectionPool` (same arguments) with the checks above."""
    health = AsyncPoolHealth(name)
    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(database_url, check=health.check, **kwargs)
    health.pool = pool
    _HEALTH[pool] = health
    return pool


def guard_pool(pool: ConnectionPool[Any], name: str) -> SyncPoolHealth:
    """Puts the checks above on a pool someone else built (the event store's: the library
    builds it with a plain check when POSTGRES_PRE_PING is set)."""
    health = SyncPoolHealth(name)
    health.pool = pool
    pool._check = health.check  # the library offers no other way in
    _HEALTH[pool] = health
    return health
