"""Real `wattlog` processes pointed at a closed port, or at one that never answers: one
readable line on stderr saying what is unreachable and where (never its password), exit
status 69, and Ctrl-C honoured while a connection is still being attempted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
from processes import PROJECT_ROOT

from adapters.reachability import EXIT_UNREACHABLE

PASSWORD = "s3cret-Pa55"
FIT_FILE = PROJECT_ROOT.parent / "shared" / "fixtures" / "fit" / "garmin-edge-820-bike.fit"


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port bound but not listening: every connection to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[socket.socket]:
    """A port that accepts connections and never says a word."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock


def _env(database_port: int | None = None, broker_port: int | None = None) -> dict[str, str]:
    env = {**os.environ, "WATTLOG_ENV": "test", "WATTLOG_LOG_LEVEL": "WARNING"}
    if database_port is not None:
        env["WATTLOG_DATABASE_URL"] = f"postgresql://wattlog:{PASSWORD}@127.0.0.1:{database_port}/w"
    if broker_port is not None:
        env["WATTLOG_AMQP_URL"] = f"amqp://guest:{PASSWORD}@127.0.0.1:{broker_port}/w"
    return env


def _wattlog(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *argv],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["migrate"],
        ["api", "--port", "0"],
        ["import", "--athlete", "00000000-0000-4000-8000-000000000001", str(FIT_FILE)],
        ["ingest"],
        ["relay"],
        ["project"],
    ],
    ids=["migrate", "api", "import", "ingest", "relay", "project"],
)
def test_a_command_with_the_database_down_says_so_in_one_line(
    closed_port: int, argv: list[str]
) -> None:
    done = _wattlog(_env(database_port=closed_port), *argv)

    assert done.returncode == EXIT_UNREACHABLE, done.stderr
    assert "Traceback" not in done.stderr
    assert PASSWORD not in done.stderr + done.stdout
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(
        f"wattlog {argv[0]}: the database at postgresql://wattlog:***@127.0.0.1:{closed_port}/w"
        " is unreachable: "
    ), done.stderr
    assert "refused" in last.lower()


def test_topology_with_the_broker_down_says_so_in_one_line(closed_port: int) -> None:
    done = _wattlog(_env(broker_port=closed_port), "topology")

    assert done.returncode == EXIT_UNREACHABLE, done.stderr
    assert "Traceback" not in done.stderr
    assert PASSWORD not in done.stderr + done.stdout
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(
        f"wattlog topology: the broker at amqp://guest:***@127.0.0.1:{closed_port}/w"
        " is unreachable: "
    ), done.stderr


def test_ctrl_c_stops_the_api_while_it_is_still_connecting_to_the_database(
    silent_port: socket.socket,
) -> None:
    port = silent_port.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli", "api", "--port", "0"],
        cwd=PROJECT_ROOT,
        env=_env(database_port=port),
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        silent_port.settimeout(60)
        connection, _ = silent_port.accept()  # the api is now waiting for the database
        with connection:
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    # Had Ctrl-C waited for the connection attempt, the exit would be the "unreachable" 69.
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
