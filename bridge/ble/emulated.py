"""Emulated BLE peripherals on bumble's virtual radio, driven by bridge/simulator: a smart
trainer (Fitness Machine Service with a working control point), a heart-rate strap, a power
meter and a speed/cadence sensor. They advertise every 20 ms and send the real GATT payloads
of the virtual devices, so the bridge's BLE code runs unchanged against them.

The trainer's control point behaves like a real one where the bridge can tell: a write made
before indications are enabled is refused with ATT error 0xFD, and the answer comes as an
indication after the write response.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable

from bumble import att
from bumble.core import UUID as BumbleUUID
from bumble.core import AdvertisingData
from bumble.device import Connection
from bumble.gatt import Characteristic, CharacteristicValue, Service
from bumble.link import LocalLink

from bridge.ble.bumble_backend import virtual_device
from bridge.gatt import uuids
from bridge.gatt.csc import CscMeasurement, encode_csc_measurement
from bridge.gatt.cycling_power import encode_cycling_power_measurement
from bridge.simulator.errors import ControlPointWriteRejected
from bridge.simulator.hr import VirtualHeartRateStrap
from bridge.simulator.physics import WHEEL_CIRCUMFERENCE_M, TrainerPhysics, TrainerState
from bridge.simulator.virtual_devices import VirtualTrainer, cycling_power_measurement

TRAINER_ADDRESS = "F1:00:00:00:00:01"
HEART_RATE_ADDRESS = "F1:00:00:00:00:02"
POWER_METER_ADDRESS = "F1:00:00:00:00:03"
SPEED_CADENCE_ADDRESS = "F1:00:00:00:00:04"
ADVERTISING_INTERVAL_MS = 20
_CCCD_IMPROPERLY_CONFIGURED = 0xFD
_INDICATIONS_ENABLED = 0x02

_NOTIFY = Characteristic.Properties.NOTIFY
_READ = Characteristic.Properties.READ


def _uuid(full: str) -> BumbleUUID:
    return BumbleUUID(uuids.short_uuid(full))


def _notifying(uuid: str) -> Characteristic[bytes]:
    return Characteristic(_uuid(uuid), _NOTIFY, Characteristic.READABLE, b"")


class EmulatedPeripheral:
    """One advertising peripheral; subclasses add services and send notifications."""

    def __init__(self, link: LocalLink, name: str, address: str) -> None:
        self.name = name
        self.address = address
        self.device = virtual_device(link, name, address)
        self._characteristics: dict[str, Characteristic[bytes]] = {}
        self._advertised: list[str] = []

    def add_service(
        self, service_uuid: str, characteristics: Iterable[Characteristic[bytes]]
    ) -> None:
        chosen = list(characteristics)
        self.device.add_service(Service(_uuid(service_uuid), chosen))
        for characteristic in chosen:
            self._characteristics[uuid_of(characteristic)] = characteristic
        self._advertised.append(service_uuid)

    async def start(self) -> None:
        await self.device.power_on()
        service_list = b"".join(bytes(_uuid(service)) for service in self._advertised)
        self.device.advertising_data = bytes(
            AdvertisingData(
                [
                    (AdvertisingData.FLAGS, bytes([0x06])),
                    (AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS, service_list),
                    (AdvertisingData.COMPLETE_LOCAL_NAME, self.name.encode()),
                ]
            )
        )
        await self.device.start_advertising(
            auto_restart=True,
            advertising_interval_min=ADVERTISING_INTERVAL_MS,
            advertising_interval_max=ADVERTISING_INTERVAL_MS,
        )

    async def stop(self) -> None:
        """Stop advertising and drop every connection (the device is switched off)."""
        await self.device.stop_advertising()
        await self.drop_connections()

    async def drop_connections(self) -> None:
        """A peripheral-initiated disconnect, like a sensor whose battery blinked."""
        for connection in list(self.device.connections.values()):
            await connection.disconnect()

    @property
    def connected(self) -> bool:
        return bool(self.device.connections)

    async def notify(self, characteristic_uuid: str, payload: bytes) -> None:
        characteristic = self._characteristics[uuids.normalize_uuid(characteristic_uuid)]
        await self.device.notify_subscribers(characteristic, payload)


def uuid_of(characteristic: Characteristic[bytes]) -> str:
    return uuids.normalize_uuid(characteristic.uuid.to_hex_str())


class EmulatedTrainer(EmulatedPeripheral):
    """Fitness Machine Service around a VirtualTrainer (plus Cycling Power when it has it)."""

    def __init__(
        self,
        link: LocalLink,
        trainer: VirtualTrainer | None = None,
        *,
        name: str = "wattlog Virtual Trainer",
        address: str = TRAINER_ADDRESS,
    ) -> None:
        super().__init__(link, name, address)
        self.trainer = trainer or VirtualTrainer()
        self.control_point_writes: list[bytes] = []
        self._indications: set[asyncio.Task[None]] = set()
        self._control_point: Characteristic[bytes] = Characteristic(
            _uuid(uuids.FITNESS_MACHINE_CONTROL_POINT),
            Characteristic.Properties.WRITE | Characteristic.Properties.INDICATE,
            Characteristic.WRITEABLE,
            CharacteristicValue(write=self._on_control_point_write),
        )
        readable = [
            Characteristic(_uuid(uuid), _READ, Characteristic.READABLE, self.trainer.read(uuid))
            for uuid in (
                uuids.FITNESS_MACHINE_FEATURE,
                uuids.SUPPORTED_POWER_RANGE,
                uuids.SUPPORTED_RESISTANCE_LEVEL_RANGE,
            )
        ]
        self.add_service(
            uuids.FITNESS_MACHINE_SERVICE,
            [
                _notifying(uuids.INDOOR_BIKE_DATA),
                _notifying(uuids.FITNESS_MACHINE_STATUS),
                self._control_point,
                *readable,
            ],
        )
        if self.trainer.with_cycling_power:
            self.add_service(
                uuids.CYCLING_POWER_SERVICE, [_notifying(uuids.CYCLING_POWER_MEASUREMENT)]
            )

    async def tick(self, dt: float) -> None:
        for characteristic, payload in self.trainer.notifications(dt):
            await self.notify(characteristic, payload)

    def _on_control_point_write(self, connection: Connection, value: bytes) -> None:
        cccd = self.device.gatt_server.read_cccd(connection, self._control_point)
        if not cccd[0] & _INDICATIONS_ENABLED:
            raise att.ATT_Error(_CCCD_IMPROPERLY_CONFIGURED)
        try:
            indication = self.trainer.handle_control_point(bytes(value))
        except ControlPointWriteRejected as error:
            raise att.ATT_Error(error.att_error) from None
        self.control_point_writes.append(bytes(value))
        # The indication follows the write response, as on a real trainer.
        task = asyncio.get_running_loop().create_task(self._indicate(connection, indication))
        self._indications.add(task)
        task.add_done_callback(self._indications.discard)

    async def _indicate(self, connection: Connection, indication: bytes) -> None:
        await asyncio.sleep(0)
        if connection.handle in self.device.connections:
            await self.device.indicate_subscriber(connection, self._control_point, indication)


class EmulatedHeartRateStrap(EmulatedPeripheral):
    def __init__(
        self,
        link: LocalLink,
        strap: VirtualHeartRateStrap | None = None,
        *,
        name: str = "wattlog Virtual HR",
        address: str = HEART_RATE_ADDRESS,
    ) -> None:
        super().__init__(link, name, address)
        self.strap = strap or VirtualHeartRateStrap()
        self.add_service(uuids.HEART_RATE_SERVICE, [_notifying(uuids.HEART_RATE_MEASUREMENT)])

    async def tick(self, dt: float, power_w: float) -> None:
        await self.notify(uuids.HEART_RATE_MEASUREMENT, self.strap.notification(dt, power_w))


class EmulatedPowerMeter(EmulatedPeripheral):
    """A crank power meter on the same ride: power and crank revolutions from the physics."""

    def __init__(
        self,
        link: LocalLink,
        physics: TrainerPhysics,
        *,
        name: str = "wattlog Virtual Power",
        address: str = POWER_METER_ADDRESS,
    ) -> None:
        super().__init__(link, name, address)
        self.physics = physics
        self.add_service(uuids.CYCLING_POWER_SERVICE, [_notifying(uuids.CYCLING_POWER_MEASUREMENT)])

    async def tick(self) -> None:
        payload = encode_cycling_power_measurement(cycling_power_measurement(self.physics.state))
        await self.notify(uuids.CYCLING_POWER_MEASUREMENT, payload)


class EmulatedSpeedCadenceSensor(EmulatedPeripheral):
    """A wheel + crank sensor on the same ride (uint32 wheel, uint16 crank counters)."""

    def __init__(
        self,
        link: LocalLink,
        physics: TrainerPhysics,
        *,
        name: str = "wattlog Virtual CSC",
        address: str = SPEED_CADENCE_ADDRESS,
    ) -> None:
        super().__init__(link, name, address)
        self.physics = physics
        self.add_service(
            uuids.CYCLING_SPEED_AND_CADENCE_SERVICE, [_notifying(uuids.CSC_MEASUREMENT)]
        )

    async def tick(self) -> None:
        await self.notify(
            uuids.CSC_MEASUREMENT, encode_csc_measurement(csc_measurement(self.physics.state))
        )


def csc_measurement(state: TrainerState) -> CscMeasurement:
    """Wheel revolutions from the distance ridden (event time estimated from the speed)."""
    turns = state.distance_m / WHEEL_CIRCUMFERENCE_M
    speed_mps = state.speed_kmh / 3.6
    behind_s = (turns - math.floor(turns)) * WHEEL_CIRCUMFERENCE_M / speed_mps if speed_mps else 0.0
    return CscMeasurement(
        wheel_revolutions=math.floor(turns) % (1 << 32),
        last_wheel_event_1024=round(max(0.0, state.clock_s - behind_s) * 1024) % (1 << 16),
        crank_revolutions=state.crank_revolutions % (1 << 16),
        last_crank_event_1024=round(state.last_crank_event_s * 1024) % (1 << 16),
    )
