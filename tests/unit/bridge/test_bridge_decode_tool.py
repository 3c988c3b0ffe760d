"""`wattlog bridge decode <characteristic> <hex>`: a diagnostic for odd trainers."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bridge.main import decode_payload

PROJECT = Path(__file__).resolve().parents[3]
FIXTURES = PROJECT.parent / "shared" / "fixtures"
VECTORS: dict[str, Any] = json.loads((FIXTURES / "ble" / "vectors.json").read_text())


def test_decode_prints_the_documented_values_as_json_for_a_real_frame() -> None:
    vector = VECTORS["heart_rate_measurement_2A37"][0]
    out = io.StringIO()

    code = decode_payload("2a37", vector["hex"], out)

    printed = json.loads(out.getvalue())
    assert code == 0
    assert {key: printed[key] for key in vector["expect"]} == vector["expect"]


def test_decode_accepts_spaced_or_colon_separated_hex_and_a_characteristic_name() -> None:
    vector = VECTORS["indoor_bike_data_2AD2"][0]
    spaced = " ".join(vector["hex"][i : i + 2] for i in range(0, len(vector["hex"]), 2))
    out = io.StringIO()

    assert decode_payload("indoor_bike_data", spaced.replace(" ", ":", 2), out) == 0
    assert json.loads(out.getvalue())["power_w"] == vector["expect"]["power_w"]


@pytest.mark.parametrize("vector", VECTORS["malformed"], ids=lambda v: v["why"])
def test_decode_exits_2_with_one_line_on_stderr_when_a_frame_is_malformed(
    vector: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = decode_payload(vector["characteristic"], vector["hex"], io.StringIO())

    error = capsys.readouterr().err
    assert code == 2
    assert error.count("\n") == 1 and error.startswith("wattlog bridge decode: ")


def test_decode_exits_2_when_the_payload_is_not_hex(capsys: pytest.CaptureFixture[str]) -> None:
    assert decode_payload("2a37", "zz10", io.StringIO()) == 2
    assert "not hexadecimal" in capsys.readouterr().err


def test_the_wattlog_command_runs_decode_as_a_bridge_tool() -> None:
    vector = VECTORS["csc_measurement_2A5B"][0]

    good = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "bridge", "decode", "2a5b", vector["hex"]],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    bad = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "bridge", "decode", "2a5b", "03d90000"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert good.returncode == 0
    assert json.loads(good.stdout)["wheel_revolutions"] == vector["expect"]["wheel_revolutions"]
    assert bad.returncode == 2 and bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1
