"""`wattlog bridge` as a rider runs it: clear refusals, one bridge per data directory, and
the scan/forget tools (here against the emulated sensors of --simulate: no radio needed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bridge.datadir import locked_data_dir

PROJECT = Path(__file__).resolve().parents[3]


def wattlog(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WATTLOG_BRIDGE_")}
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", *argv],
        cwd=PROJECT,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_bridge_says_what_is_missing_when_started_without_a_password(tmp_path: Path) -> None:
    result = wattlog("bridge", "--client-id", "kitchen-pc", "--data-dir", str(tmp_path))

    assert result.returncode == 2
    assert "password" in result.stderr and "WATTLOG_BRIDGE_PASSWORD" in result.stderr


def test_a_second_bridge_on_the_same_data_directory_is_refused(tmp_path: Path) -> None:
    with locked_data_dir(tmp_path):
        result = wattlog(
            "bridge",
            "--data-dir",
            str(tmp_path),
            env={"WATTLOG_BRIDGE_CLIENT_ID": "kitchen-pc", "WATTLOG_BRIDGE_PASSWORD": "secret"},
        )

    assert result.returncode == 2
    assert "already running" in result.stderr


def test_scan_lists_the_sensors_in_range_and_remembers_one_per_kind(tmp_path: Path) -> None:
    result = wattlog(
        "bridge", "--simulate", "scan", "--timeout", "1", "--remember", "--data-dir", str(tmp_path)
    )

    assert result.returncode == 0, result.stderr
    listed = [line for line in result.stdout.splitlines() if " dBm " in line]
    assert any("trainer" in line for line in listed)
    assert any("hr-strap" in line for line in listed)
    remembered = json.loads((tmp_path / "devices.json").read_text())["devices"]
    assert sorted(d["kinds"][0] for d in remembered) == ["hr-strap", "trainer"]


def test_forget_clears_the_remembered_sensors(tmp_path: Path) -> None:
    (tmp_path / "devices.json").write_text('{"version": 1, "devices": []}')

    result = wattlog("bridge", "forget", "--data-dir", str(tmp_path))

    assert result.returncode == 0
    assert not (tmp_path / "devices.json").exists()
