"""A wattlog process started as `python -m adapters.cli <name>`, for the end-to-end tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from adapters.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def wattlog_env(settings: Settings, base: Mapping[str, str]) -> dict[str, str]:
    """`base` (usually os.environ) with the WATTLOG_* variables that point at `settings`."""
    return {
        **base,
        "WATTLOG_ENV": "test",
        "WATTLOG_DATABASE_URL": settings.database_url,
        "WATTLOG_AMQP_URL": settings.amqp_url,
        "WATTLOG_RABBITMQ_MANAGEMENT_URL": settings.rabbitmq_management_url,
        "WATTLOG_INGEST_SHARDS": str(settings.ingest_shards),
        "WATTLOG_INGEST_BATCH_WAIT_MS": str(settings.ingest_batch_wait_ms),
        "WATTLOG_DB_FLAVOUR": settings.db_flavour,
    }


def run_wattlog(settings: Settings, *argv: str) -> subprocess.CompletedProcess[str]:
    """`wattlog <argv>` against `settings`, to its end (a command-line test's view)."""
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *argv],
        cwd=PROJECT_ROOT,
        env={**wattlog_env(settings, os.environ), "WATTLOG_LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@dataclass
class WattlogProcess:
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None)

    def start(self) -> WattlogProcess:
        with self.log_path.open("ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", "adapters.cli", *self.argv],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def kill(self) -> None:
        """SIGKILL: no clean-up, no last acknowledgement, like a power cut."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")
