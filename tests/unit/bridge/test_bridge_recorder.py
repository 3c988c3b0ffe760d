"""From BLE callback to outbox: a malformed frame is counted and dropped, the stream goes on."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bridge.decoding import Notification
from bridge.gatt import uuids
from bridge.outbox import AsyncOutbox
from bridge.recorder import Recorder
from bridge.status import BridgeStatus

FIXTURES = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures"
VECTORS: dict[str, Any] = json.loads((FIXTURES / "ble" / "vectors.json").read_text())


def received(characteristic: str, hex_payload: str) -> Notification:
    return Notification(
        "sensor", uuids.normalize_uuid(characteristic), bytes.fromhex(hex_payload), time.time(), 0.0
    )


@pytest.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[AsyncOutbox]:
    opened = await AsyncOutbox.open(tmp_path / "outbox.sqlite3", 16 * 1024 * 1024)
    yield opened
    await opened.close()


async def test_recorder_stores_good_frames_and_counts_malformed_ones(outbox: AsyncOutbox) -> None:
    status, wake = BridgeStatus(), asyncio.Event()
    recorder = Recorder(outbox, status, wake)
    good = [received("2ad2", v["hex"]) for v in VECTORS["indoor_bike_data_2AD2"]]
    bad = [received(v["characteristic"], v["hex"]) for v in VECTORS["malformed"]]
    for notification in [good[0], *bad, *good[1:]]:
        recorder.enqueue(notification)

    task = asyncio.create_task(recorder.run())
    await asyncio.wait_for(wake.wait(), 5)
    task.cancel()

    stored = await outbox.read(0, None, 100)
    assert [s.raw for s in stored] == [n.payload for n in good]
    assert status.decode_errors == len(bad)
    assert status.stored == len(good)


async def test_recorder_flush_stores_what_is_still_queued_at_shutdown(outbox: AsyncOutbox) -> None:
    recorder = Recorder(outbox, BridgeStatus(), asyncio.Event())
    vector = VECTORS["heart_rate_measurement_2A37"][0]
    for _ in range(3):
        recorder.enqueue(received("2a37", vector["hex"]))

    await recorder.flush()

    assert len(await outbox.read(0, None, 10)) == 3
