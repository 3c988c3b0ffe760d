"""Whole wattlog processes, started as `python -m adapters.cli <name>` against this run's
own database and vhost, so that they can be killed (SIGKILL) like in production."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import WattlogProcess, wattlog_env

from adapters.settings import Settings


@pytest.fixture
def spawn(settings: Settings) -> Iterator[object]:
    started: list[WattlogProcess] = []
    env = wattlog_env(settings, os.environ)
    logs = Path(tempfile.mkdtemp(prefix="wattlog-e2e-"))

    def start(*argv: str) -> WattlogProcess:
        process = WattlogProcess(list(argv), env, logs / f"{argv[0]}-{len(started)}.log")
        started.append(process.start())
        return process

    yield start
    for process in started:
        process.stop()
