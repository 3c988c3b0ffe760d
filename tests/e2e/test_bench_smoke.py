"""The smoke tier of the ingest benchmark, as a user runs it: five riders for twenty
seconds through the whole stack; nothing may be lost or duplicated."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_the_smoke_benchmark_stores_every_sample_exactly_once() -> None:
    completed = subprocess.run(
        [sys.executable, "ops/bench/ingest.py", "--tier", "smoke", "--skip-baselines"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    figures = json.loads(completed.stdout.splitlines()[0])
    assert figures["stored"] == 5 * 20 * 4
    assert figures["lost"] == 0
    assert figures["duplicated"] == 0
