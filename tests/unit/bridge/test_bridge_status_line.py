"""The status line tells the rider what is connected, how fast data flows, and what failed."""

from __future__ import annotations

import asyncio
import contextlib
import io

import pytest

from bridge.ble.connection import LinkState, LinkStatus
from bridge.status import BridgeStatus, StatusReporter, render


def test_status_line_shows_sensors_rate_backlog_and_the_last_error() -> None:
    status = BridgeStatus(broker="disconnected", backlog=1234)
    status.sensors = {
        "trainer": LinkStatus(state=LinkState.CONNECTED),
        "hr-strap": LinkStatus(state=LinkState.SEARCHING),
    }
    status.note_error("broker: cannot connect: connection refused")

    line = render(status, 4.96)

    assert "broker disconnected" in line
    assert "trainer:connected" in line and "hr-strap:searching" in line
    assert "5.0 samples/s" in line
    assert "backlog 1234" in line
    assert "connection refused" in line


def test_status_line_shows_the_newest_error_of_broker_and_sensors() -> None:
    status = BridgeStatus()
    status.last_error = (1000.0, "broker: old trouble")
    strap = LinkStatus()
    strap.last_error, strap.last_error_at = "strap: connection lost", 1005.0
    status.sensors = {"hr-strap": strap}

    line = render(status, 0.0)

    assert "strap: connection lost" in line and "old trouble" not in line


def test_samples_per_second_is_measured_over_the_last_seconds() -> None:
    status = BridgeStatus()
    status.samples_per_second(now=100.0)
    status.stored = 50

    assert status.samples_per_second(now=110.0) == pytest.approx(50 / 10)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_status_goes_to_the_log_when_stderr_is_not_a_terminal() -> None:
    assert StatusReporter(BridgeStatus(), "auto", io.StringIO()).mode == "log"


async def test_status_line_is_redrawn_in_place_on_a_terminal() -> None:
    terminal = Terminal()
    status = BridgeStatus(broker="connected", backlog=7)
    reporter = StatusReporter(status, "auto", terminal)

    task = asyncio.create_task(reporter.run())
    await asyncio.sleep(1.3)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task

    output = terminal.getvalue()
    assert output.startswith("\r\x1b[K")
    assert "broker connected" in output and "backlog 7" in output
    assert output.endswith("\n")
