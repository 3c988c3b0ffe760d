"""`wattlog bridge --simulate`: the virtual trainer and heart-rate strap of bridge/simulator as
emulated BLE peripherals on bumble's in-memory radio, ridden in real time.

The bridge reaches them through the bumble backend for bleak, so everything it does with
real sensors (scan, connect, subscribe, control point procedures, reconnects) runs the same
way. The trainer follows ERG, slope and resistance commands written to its control point.
"""

from __future__ import annotations

import asyncio

from bumble.link import LocalLink

from bridge.ble.bumble_backend import BumbleRadio
from bridge.ble.connection import BleBackends
from bridge.ble.devices import KnownDevice
from bridge.ble.emulated import (
    EmulatedHeartRateStrap,
    EmulatedPeripheral,
    EmulatedPowerMeter,
    EmulatedSpeedCadenceSensor,
    EmulatedTrainer,
)
from bridge.ble.profiles import SensorKind
from bridge.simulator.hr import VirtualHeartRateStrap
from bridge.simulator.virtual_devices import VirtualTrainer

MAX_LAG_S = 1.0  # a loop that fell further behind skips ahead instead of catching up


class EmulatedRide:
    def __init__(
        self,
        *,
        rate_hz: float = 4.0,
        seed: int = 0,
        power_meter: bool = False,
        speed_cadence: bool = False,
        trainer: VirtualTrainer | None = None,
    ) -> None:
        self.link = LocalLink()  # type: ignore[no-untyped-call]
        self.period_s = 1.0 / rate_hz
        self.trainer = EmulatedTrainer(self.link, trainer or VirtualTrainer(seed=seed))
        self.strap = EmulatedHeartRateStrap(self.link, VirtualHeartRateStrap(seed=seed))
        physics = self.trainer.trainer.physics
        self.power_meter = EmulatedPowerMeter(self.link, physics) if power_meter else None
        self.speed_cadence = (
            EmulatedSpeedCadenceSensor(self.link, physics) if speed_cadence else None
        )
        self.radio = BumbleRadio(self.link)

    @property
    def peripherals(self) -> list[EmulatedPeripheral]:
        extras = [p for p in (self.power_meter, self.speed_cadence) if p is not None]
        return [self.trainer, self.strap, *extras]

    def backends(self) -> BleBackends:
        scanner, client = self.radio.backends()
        return BleBackends(scanner=scanner, client=client)

    def devices(self) -> list[KnownDevice]:
        """The emulated sensors as the bridge would remember them."""
        kinds = {
            self.trainer.address: SensorKind.TRAINER,
            self.strap.address: SensorKind.HEART_RATE,
        }
        if self.power_meter:
            kinds[self.power_meter.address] = SensorKind.POWER_METER
        if self.speed_cadence:
            kinds[self.speed_cadence.address] = SensorKind.SPEED_CADENCE
        return [KnownDevice(p.address, p.name, (kinds[p.address],)) for p in self.peripherals]

    async def start(self) -> None:
        for peripheral in self.peripherals:
            await peripheral.start()

    async def stop(self) -> None:
        for peripheral in self.peripherals:
            await peripheral.stop()

    async def run(self) -> None:
        """Steps the devices every period (the strap once a second) until cancelled."""
        loop = asyncio.get_running_loop()
        next_tick = loop.time()
        since_heart_beat = 0.0
        while True:
            next_tick += self.period_s
            delay = next_tick - loop.time()
            if delay < -MAX_LAG_S:
                next_tick = loop.time()
            await asyncio.sleep(max(0.0, delay))
            await self.trainer.tick(self.period_s)
            since_heart_beat += self.period_s
            if since_heart_beat >= 1.0:
                since_heart_beat -= 1.0
                power = self.trainer.trainer.physics.state.power_w
                await self.strap.tick(1.0, power)
            for extra in (self.power_meter, self.speed_cadence):
                if extra is not None:
                    await extra.tick()
