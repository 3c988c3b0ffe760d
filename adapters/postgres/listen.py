"""Waking a log follower (the relay, the projectors) as soon as events are committed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import psycopg

log = logging.getLogger(__name__)


async def listen_for_commits(
    database_url: str, channel: str, wake: Callable[[], None], retry_s: float
) -> None:
    """Calls `wake()` on every NOTIFY on `channel`, and once whenever LISTEN (re)starts: a
    commit made while nobody listened would otherwise wait for the follower's next poll.
    Runs until cancelled, reconnecting after a lost connection."""
    lost = False
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as conn:
                await conn.execute(f'LISTEN "{channel}"')
                if lost:
                    log.info("LISTEN connection restored", extra={"channel": channel})
                    lost = False
                wake()
                async for _ in conn.notifies():
                    wake()
        except psycopg.OperationalError:
            if not lost:
                log.warning("LISTEN connection lost; polling until it is back")
                lost = True
            await asyncio.sleep(retry_s)
