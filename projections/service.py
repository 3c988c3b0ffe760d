"""`wattlog project` as a service: every projection followed live, with lag log lines.

LISTEN/NOTIFY on the event store's channel wakes the runners as soon as events commit; a poll
every second covers lost notifications and a dead LISTEN connection (which is re-opened).
A runner that fails (database away, a bug on one event) logs, waits and starts over from its
last committed position; the wait doubles after each failure in a row (1 s up to 30 s), and
only the first failure of a streak logs its traceback. Each runner works in a thread (the
store is synchronous).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import psycopg

from adapters.analytics.lag import lag_at
from adapters.eventstore import WattlogStore
from adapters.postgres.listen import listen_for_commits
from adapters.runtime import wait_any
from adapters.settings import Settings
from projections.registry import build_projection
from projections.retention import apply_retention
from projections.runner import DEFAULT_BATCH_SIZE, ProjectionRunner

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 1.0
RETRY_DELAY_S = 1.0
MAX_RETRY_DELAY_S = 30.0
DEFAULT_LAG_LOG_INTERVAL_S = 10.0
RETENTION_INTERVAL_S = 3600.0


class ProjectorService:
    def __init__(
        self,
        settings: Settings,
        names: Sequence[str],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        lag_log_interval_s: float = DEFAULT_LAG_LOG_INTERVAL_S,
        retention_days: int | None = None,
    ) -> None:
        self._retention_days = retention_days
        self._settings = settings
        self._names = names
        self._batch_size = batch_size
        self._lag_interval = lag_log_interval_s
        self._wakes: list[asyncio.Event] = []

    async def run(self, stop: asyncio.Event) -> None:
        store = WattlogStore(self._settings)
        runners = [
            ProjectionRunner(
                store,
                build_projection(name),
                self._settings.database_url,
                batch_size=self._batch_size,
            )
            for name in self._names
        ]
        self._wakes = [asyncio.Event() for _ in runners]
        tasks = [
            asyncio.create_task(
                listen_for_commits(
                    self._settings.database_url,
                    store.notify_channel,
                    self._wake_all,
                    POLL_INTERVAL_S,
                )
            )
        ]
        tasks += [
            asyncio.create_task(self._follow(r, w, stop))
            for r, w in zip(runners, self._wakes, strict=True)
        ]
        tasks.append(asyncio.create_task(self._report_lag(store, runners, stop)))
        if self._retention_days is not None:
            tasks.append(asyncio.create_task(self._retain(self._retention_days, stop)))
        log.info("projectors running", extra={"projections": list(self._names)})
        try:
            await stop.wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for runner in runners:
                runner.close()
            store.close()
            log.info("projectors stopped")

    def _wake_all(self) -> None:
        for wake in self._wakes:
            wake.set()

    async def _follow(
        self, runner: ProjectionRunner, wake: asyncio.Event, stop: asyncio.Event
    ) -> None:
        loop = asyncio.get_running_loop()
        failures = 0
        while not stop.is_set():
            try:
                moved = await loop.run_in_executor(None, runner.run_batch)
            except Exception:
                # The database away (a restart) or a batch that fails: start over from the
                # last committed position, waiting longer after each failure in a row.
                failures += 1
                delay = min(MAX_RETRY_DELAY_S, RETRY_DELAY_S * 2 ** min(failures - 1, 8))
                log.warning(
                    "projection batch failed; retrying",
                    extra={"projection": runner.name, "failures": failures, "retry_in_s": delay},
                    exc_info=failures == 1,  # one traceback per streak, not one a second
                )
                runner.close()
                await wait_any(delay, stop)
                continue
            if failures:
                log.info(
                    "projection resumed",
                    extra={"projection": runner.name, "after_failures": failures},
                )
                failures = 0
            if moved:
                self._wake_all()  # a dependent projection may now go on
                continue
            wake.clear()
            await wait_any(POLL_INTERVAL_S, wake, stop)

    async def _report_lag(
        self, store: WattlogStore, runners: list[ProjectionRunner], stop: asyncio.Event
    ) -> None:
        while not stop.is_set():
            await wait_any(self._lag_interval, stop)
            try:
                await self._log_lag(store, runners)
            except Exception as error:
                log.warning("projection lag unknown", extra={"error": repr(error)})

    async def _log_lag(self, store: WattlogStore, runners: list[ProjectionRunner]) -> None:
        loop = asyncio.get_running_loop()
        head = await loop.run_in_executor(None, store.recorder.max_notification_id)
        for runner in runners:
            if runner.position < 0:
                continue
            events, seconds = await loop.run_in_executor(
                None, lag_at, store, runner.position, head or 0
            )
            log.info(
                "projection lag",
                extra={
                    "projection": runner.name,
                    "position": runner.position,
                    "events_behind": events,
                    "seconds_behind": round(seconds, 3),
                },
            )

    async def _retain(self, days: int, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            try:
                await loop.run_in_executor(None, self._apply_retention, days)
            except Exception:
                log.exception("samples retention failed")
            await wait_any(RETENTION_INTERVAL_S, stop)

    def _apply_retention(self, days: int) -> None:
        with psycopg.connect(self._settings.database_url, autocommit=True) as conn:
            apply_retention(conn, days)
