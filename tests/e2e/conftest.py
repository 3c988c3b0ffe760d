"""Whole wattlog processes, started as `python -m adapters.cli <name>` against this run's
own database and vhost, so that they can be killed (SIGKILL) like in production."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import WattlogProcess

from adapters.settings import Settings


@pytest.fixture
def spawn(settings: Settings) -> Iterator[object]:
    started: list[WattlogProcess] = []
    env = {
        **os.environ,
        "WATTLOG_ENV": "test",
        "WATTLOG_DATABASE_URL": settings.database_url,
        "WATTLOG_AMQP_URL": settings.amqp_url,
        "WATTLOG_INGEST_SHARDS": str(settings.ingest_shards),
        "WATTLOG_INGEST_BATCH_WAIT_MS": str(settings.ingest_batch_wait_ms),
    }
    logs = Path(tempfile.mkdtemp(prefix="wattlog-e2e-"))

    def start(*argv: str) -> WattlogProcess:
        process = WattlogProcess(list(argv), env, logs / f"{argv[0]}-{len(started)}.log")
        started.append(process.start())
        return process

    yield start
    for process in started:
        process.stop()
