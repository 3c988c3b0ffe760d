"""`--simulate` without bumble (it is a development dependency): the same virtual trainer and
heart-rate strap, handed to the bridge in-process instead of over an emulated radio.

The payloads are the same real GATT bytes and go through the same decoder, outbox and
transport; trainer commands go through the same TrainerController procedure (indications
enabled first, request control, one write at a time, result from the indication). Only
the BLE layer (scan, connect, subscribe) is skipped: use `--simulate-radio bumble` to run it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from bridge.ble.connection import LinkState, LinkStatus
from bridge.ble.devices import KnownDevice
from bridge.ble.gatt_link import GattWriteRefused
from bridge.ble.profiles import SensorKind
from bridge.control import TrainerController
from bridge.decoding import Notification
from bridge.gatt import uuids
from bridge.simulator.errors import ControlPointWriteRejected
from bridge.simulator.hr import VirtualHeartRateStrap
from bridge.simulator.virtual_devices import VirtualTrainer

_READABLE = frozenset(
    {
        uuids.FITNESS_MACHINE_FEATURE,
        uuids.SUPPORTED_POWER_RANGE,
        uuids.SUPPORTED_RESISTANCE_LEVEL_RANGE,
    }
)
_CCCD_IMPROPERLY_CONFIGURED = 0xFD
TRAINER = KnownDevice("virtual-trainer", "wattlog Virtual Trainer", (SensorKind.TRAINER,))


class DirectTrainerLink:
    """A GattLink straight onto a VirtualTrainer's control point."""

    def __init__(self, trainer: VirtualTrainer) -> None:
        self._trainer = trainer
        self._indicate: Callable[[bytes], None] | None = None

    def has(self, characteristic: str) -> bool:
        return characteristic in _READABLE or characteristic == uuids.FITNESS_MACHINE_CONTROL_POINT

    async def read(self, characteristic: str) -> bytes:
        return self._trainer.read(characteristic)

    async def write(self, characteristic: str, data: bytes) -> None:
        if self._indicate is None:
            raise GattWriteRefused(_CCCD_IMPROPERLY_CONFIGURED, "indications are not enabled")
        try:
            indication = self._trainer.handle_control_point(data)
        except ControlPointWriteRejected as error:
            raise GattWriteRefused(error.att_error, str(error)) from None
        asyncio.get_running_loop().call_soon(self._indicate, indication)

    async def subscribe(self, characteristic: str, callback: Callable[[bytes], None]) -> None:
        if characteristic == uuids.FITNESS_MACHINE_CONTROL_POINT:
            self._indicate = callback


class DirectRide:
    def __init__(
        self,
        on_notification: Callable[[Notification], None],
        controller: TrainerController,
        *,
        rate_hz: float = 4.0,
        seed: int = 0,
    ) -> None:
        self.trainer = VirtualTrainer(seed=seed)
        self.strap = VirtualHeartRateStrap(seed=seed)
        self.period_s = 1.0 / rate_hz
        self._deliver = on_notification
        self._controller = controller
        self.sensors = {
            SensorKind.TRAINER.value: LinkStatus(state=LinkState.CONNECTED),
            SensorKind.HEART_RATE.value: LinkStatus(state=LinkState.CONNECTED),
        }

    async def run(self, stop: asyncio.Event) -> None:
        await self._controller.attach(TRAINER, DirectTrainerLink(self.trainer))
        since_heart_beat = 0.0
        while not stop.is_set():
            await asyncio.sleep(self.period_s)
            for characteristic, payload in self.trainer.notifications(self.period_s):
                self._emit(SensorKind.TRAINER, characteristic, payload)
            since_heart_beat += self.period_s
            if since_heart_beat >= 1.0:
                since_heart_beat -= 1.0
                power = self.trainer.physics.state.power_w
                self._emit(
                    SensorKind.HEART_RATE,
                    uuids.HEART_RATE_MEASUREMENT,
                    self.strap.notification(1.0, power),
                )
        self._controller.detach(TRAINER)

    def _emit(self, kind: SensorKind, characteristic: str, payload: bytes) -> None:
        self._deliver(
            Notification(kind.value, characteristic, payload, time.time(), time.monotonic())
        )
