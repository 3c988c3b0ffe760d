"""What every long-running backend process does the same way: a thread executor sized to
the database pool for the synchronous event store, and a clean stop on SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

from adapters.settings import Settings


def run_service(settings: Settings, service: Callable[[asyncio.Event], Awaitable[None]]) -> int:
    """Runs `service(stop)` until it returns; SIGINT/SIGTERM set `stop`."""

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(
            ThreadPoolExecutor(max_workers=settings.db_pool_size, thread_name_prefix="db")
        )
        stop = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await service(stop)

    asyncio.run(main())
    return 0


async def wait_any(at_most_s: float, *events: asyncio.Event) -> None:
    """Returns when any of the events is set, or after `at_most_s` seconds."""
    waiters = {asyncio.create_task(event.wait()) for event in events}
    await asyncio.wait(waiters, timeout=at_most_s, return_when=asyncio.FIRST_COMPLETED)
    for waiter in waiters:
        waiter.cancel()


async def until_stopped(stop: asyncio.Event, *tasks: asyncio.Task[None]) -> None:
    """Waits for `stop` or for any task to fail; then cancels the tasks (re-raising a failure)."""
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({stopper, *tasks}, return_when=asyncio.FIRST_COMPLETED)
    for task in (stopper, *tasks):
        task.cancel()
    await asyncio.gather(stopper, *tasks, return_exceptions=True)
    for task in done:
        if task is not stopper and not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]
