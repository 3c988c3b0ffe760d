"""The bridge, assembled: sensors -> recorder -> outbox -> broker, commands -> trainer.

    BLE callbacks --enqueue--> Recorder --decode, seq, one transaction--> Outbox (SQLite)
    Outbox --live first, backlog in chunks--> BrokerLink/Forwarder --confirm--> delete
    ble.commands.<id> --> CommandRunner --> TrainerController --> ack in Outbox --> broker

On stop: the sensors disconnect, whatever was received is written to the outbox, and the
broker link waits a moment for outstanding confirms. What is left is sent next time.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol, TextIO
from uuid import UUID

from bridge.ble.connection import LinkStatus
from bridge.broker import BrokerLink
from bridge.commands import CommandRunner
from bridge.config import BridgeConfig
from bridge.control import TrainerController
from bridge.outbox import AsyncOutbox
from bridge.recorder import Recorder
from bridge.status import BridgeStatus, StatusReporter

log = logging.getLogger(__name__)

SENSORS_STOP_S = 10.0
BROKER_STOP_S = 10.0
BACKLOG_REFRESH_S = 1.0
COMPACT_AFTER_BACKLOG = 10_000


class SensorSource(Protocol):
    sensors: dict[str, LinkStatus]

    async def run(self, stop: asyncio.Event) -> None: ...


class Bridge:
    def __init__(
        self, config: BridgeConfig, outbox: AsyncOutbox, status_stream: TextIO | None = None
    ) -> None:
        self.config = config
        self.outbox = outbox
        self.status = BridgeStatus()
        self.wake = asyncio.Event()
        self.recorder = Recorder(outbox, self.status, self.wake)
        self.controller = TrainerController(config.indication_timeout_s)
        self.commands = CommandRunner(self.controller, self._store_ack, config.command_ttl_s)
        self.status.commands = self.commands.stats
        self.broker = BrokerLink(config, outbox, self.commands, self.status, self.wake)
        self._reporter = StatusReporter(self.status, config.status, status_stream)

    async def run(self, stop: asyncio.Event, sensors: SensorSource) -> None:
        self.status.sensors = sensors.sensors
        sensing = asyncio.create_task(sensors.run(stop))
        recording = asyncio.create_task(self.recorder.run())
        forwarding = asyncio.create_task(self.broker.run(stop))
        housekeeping = asyncio.create_task(self._housekeeping())
        reporting = asyncio.create_task(self._reporter.run())
        everything = {sensing, recording, forwarding, housekeeping, reporting}
        stopper = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait(
                {stopper, recording, forwarding}, return_when=asyncio.FIRST_COMPLETED
            )
            stop.set()
            await asyncio.wait({sensing}, timeout=SENSORS_STOP_S)
            await self.recorder.flush()
            await asyncio.wait({forwarding}, timeout=BROKER_STOP_S)
        finally:
            for task in (*everything, stopper):
                task.cancel()
            results = await asyncio.gather(*everything, return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):
                raise result

    async def _store_ack(self, command_id: UUID, result_code: int) -> None:
        await self.outbox.call(self.outbox.sync.add_ack, command_id, result_code)
        self.wake.set()

    async def _housekeeping(self) -> None:
        sync = self.outbox.sync
        peak = 0
        while True:
            self.status.backlog = await self.outbox.call(sync.pending)
            self.status.trainer_control = self.controller.has_control
            peak = max(peak, self.status.backlog)
            if peak >= COMPACT_AFTER_BACKLOG and not self.status.backlog:
                # A backlog drained: give the pages it used back to the file system.
                await self.outbox.call(sync.compact)
                peak = 0
            await asyncio.sleep(BACKLOG_REFRESH_S)
