"""A synchronous pool lends an idle connection after a look at its socket, and one whose
server ended it (a restart, `pg_terminate_backend`) never: that one fails the full check,
the whole pool is checked and the loss counted (adapters/postgres/pools.py)."""

from __future__ import annotations

import time

import psycopg
from broker_admin import ADMIN_DATABASE_URL

from adapters.postgres.pools import _quietly_open, checked_pool, connection_losses
from adapters.settings import Settings


def _terminate(pid: int) -> None:
    with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
        deadline = time.monotonic() + 10
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            assert time.monotonic() < deadline, "the backend did not exit"
            time.sleep(0.05)


def test_an_idle_connection_looks_open_and_one_its_server_ended_does_not(
    settings: Settings,
) -> None:
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        assert _quietly_open(conn)
        conn.execute("BEGIN")
        assert not _quietly_open(conn)  # not idle: lent only after the full check
        conn.execute("ROLLBACK")
        _terminate(conn.info.backend_pid)
        assert not _quietly_open(conn)


def test_after_the_server_ended_its_connection_the_pool_lends_a_working_one(
    settings: Settings,
) -> None:
    pool = checked_pool(settings.database_url, "test", min_size=1, max_size=1, open=True)
    try:
        with pool.connection() as conn:
            first_pid = conn.info.backend_pid
        _terminate(first_pid)

        with pool.connection() as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
            assert conn.info.backend_pid != first_pid
        assert connection_losses(pool) == 1
    finally:
        pool.close()


def test_a_healthy_pool_lends_the_same_connection_again_and_again(settings: Settings) -> None:
    pool = checked_pool(settings.database_url, "test", min_size=1, max_size=1, open=True)
    try:
        pids = set()
        for _ in range(50):
            with pool.connection() as conn:
                pids.add(conn.info.backend_pid)
        assert len(pids) == 1
        assert connection_losses(pool) == 0
    finally:
        pool.close()
