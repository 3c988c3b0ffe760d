"""The bridge's BLE layer through bleak's own API, against emulated peripherals on bumble's
virtual radio (bridge/ble/bumble_backend.py): discovery, connections, notifications,
reconnection, and trainer control over a real control point procedure."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from bleak import BleakClient, BleakScanner
from bleak.exc import BleakDeviceNotFoundError, BleakGATTProtocolError
from pipeline_helpers import eventually

from bridge.ble.connection import LinkState, LinkTimeouts
from bridge.ble.devices import DeviceBook
from bridge.ble.profiles import SensorKind
from bridge.ble.sensors import BleSensors
from bridge.control import TrainerController
from bridge.decoding import Notification, SampleDecoder
from bridge.gatt import uuids
from bridge.gatt.control_point import ResultCode, decode_control_point_request
from bridge.gatt.fitness_machine import SupportedPowerRange
from bridge.simulation import EmulatedRide
from bridge.simulator.physics import TrainerMode
from bridge.simulator.virtual_devices import VirtualTrainer
from bridge.status import BridgeStatus

TIMEOUTS = LinkTimeouts(scan_s=2.0, connect_s=5.0)


class Harness:
    def __init__(self, ride: EmulatedRide) -> None:
        self.ride = ride
        self.received: list[Notification] = []
        self.controller = TrainerController(indication_timeout_s=2.0)
        self.status = BridgeStatus()
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.riding: asyncio.Task[None] | None = None

    def sensors(self, **options: object) -> BleSensors:
        options.setdefault("devices", self.ride.devices())
        return BleSensors(
            self.received.append,
            self.controller,
            self.status,
            backends=self.ride.backends(),
            timeouts=TIMEOUTS,
            **options,  # type: ignore[arg-type]
        )

    def start(self, sensors: BleSensors) -> BleSensors:
        self.tasks.append(asyncio.create_task(sensors.run(self.stop)))
        return sensors

    def ride_on(self) -> None:
        self.riding = asyncio.create_task(self.ride.run())

    async def close(self) -> None:
        self.stop.set()
        if self.riding is not None:
            self.riding.cancel()
        await asyncio.wait_for(asyncio.gather(*self.tasks, return_exceptions=True), 15)
        await self.ride.stop()

    def from_sensor(self, sensor: str) -> list[Notification]:
        return [n for n in self.received if n.sensor_id == sensor]


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    ride = EmulatedRide(rate_hz=10.0, power_meter=True, speed_cadence=True)
    await ride.start()
    harness = Harness(ride)
    yield harness
    await harness.close()


def all_connected(sensors: BleSensors) -> bool:
    return bool(sensors.links) and all(
        link.status.state is LinkState.CONNECTED for link in sensors.links
    )


async def test_the_bridge_receives_every_kind_of_sensor_and_derives_cadence(
    harness: Harness,
) -> None:
    sensors = harness.start(harness.sensors())
    await eventually(lambda: all_connected(sensors), 20)
    harness.ride_on()

    await eventually(lambda: all(len(harness.from_sensor(k.value)) >= 8 for k in SensorKind), 20)

    characteristics = {(n.sensor_id, n.characteristic) for n in harness.received}
    assert {
        ("trainer", uuids.INDOOR_BIKE_DATA),
        ("power-meter", uuids.CYCLING_POWER_MEASUREMENT),
        ("hr-strap", uuids.HEART_RATE_MEASUREMENT),
        ("speed-cadence", uuids.CSC_MEASUREMENT),
    } <= characteristics
    decoder = SampleDecoder()
    decoded = [decoder.decode(n) for n in harness.received]
    for sensor in ("power-meter", "speed-cadence"):
        cadences = [
            s.values["cadence_rpm"]
            for s in decoded
            if s.sensor_id == sensor and "cadence_rpm" in s.values
        ]
        assert cadences and 80 <= cadences[-1] <= 100  # the rider spins 85-95 rpm


async def test_the_bridge_chooses_and_remembers_sensors_when_none_are_known(
    harness: Harness, tmp_path: Path
) -> None:
    book = DeviceBook(tmp_path)
    sensors = harness.start(harness.sensors(devices=None, book=book))

    await eventually(lambda: all_connected(sensors), 20)

    remembered = {d.address: d.kinds for d in book.load()}
    assert remembered == {d.address: d.kinds for d in harness.ride.devices()}


async def test_a_sensor_that_drops_is_reconnected_with_a_fresh_client(harness: Harness) -> None:
    sensors = harness.start(harness.sensors())
    await eventually(lambda: all_connected(sensors), 20)
    harness.ride_on()
    strap_link = next(link for link in sensors.links if SensorKind.HEART_RATE in link.device.kinds)
    await eventually(lambda: len(harness.from_sensor("hr-strap")) >= 2, 10)

    await harness.ride.strap.drop_connections()
    dropped_at = time.time()

    await eventually(lambda: strap_link.status.connects == 2, 20)
    await eventually(
        lambda: any(n.received_at > dropped_at + 0.1 for n in harness.from_sensor("hr-strap")), 10
    )
    assert strap_link.status.last_error is not None and "lost" in strap_link.status.last_error


async def test_a_sensor_switched_on_late_is_connected_once_it_advertises(harness: Harness) -> None:
    await harness.ride.strap.stop()
    sensors = harness.start(harness.sensors())
    await eventually(lambda: len(sensors.links) == len(harness.ride.devices()), 5)
    strap_link = next(link for link in sensors.links if SensorKind.HEART_RATE in link.device.kinds)
    await eventually(lambda: strap_link.status.last_error is not None, 20)
    assert strap_link.status.state is not LinkState.CONNECTED

    await harness.ride.strap.start()

    await eventually(lambda: strap_link.status.state is LinkState.CONNECTED, 30)


async def test_trainer_commands_reach_the_emulated_trainer_through_its_control_point(
    harness: Harness,
) -> None:
    sensors = harness.start(harness.sensors())
    await eventually(lambda: all_connected(sensors) and harness.controller.ready, 20)

    code = await harness.controller.execute("target_power", 260, time.time() + 10)

    physics = harness.ride.trainer.trainer.physics
    assert code == ResultCode.SUCCESS
    assert physics.state.mode is TrainerMode.ERG and physics.state.target_power_w == 260
    # Control was requested before the target, over the emulated radio.
    assert [w[0] for w in harness.ride.trainer.control_point_writes] == [0x00, 0x05]


async def test_target_power_is_clamped_to_the_range_the_trainer_publishes() -> None:
    ride = EmulatedRide(trainer=VirtualTrainer(power_range=SupportedPowerRange(100, 800, 10)))
    await ride.start()
    harness = Harness(ride)
    sensors = harness.start(harness.sensors())
    try:
        await eventually(lambda: all_connected(sensors) and harness.controller.ready, 20)

        await harness.controller.execute("target_power", 1234, time.time() + 10)

        written = decode_control_point_request(ride.trainer.control_point_writes[-1])
        assert written.parameters["target_power_w"] == 800
        assert ride.trainer.trainer.physics.state.target_power_w == 800
    finally:
        await harness.close()


async def test_the_control_point_refuses_writes_until_indications_are_enabled() -> None:
    ride = EmulatedRide()
    await ride.start()
    scanner, client_backend = ride.radio.backends()
    try:
        device = await BleakScanner.find_device_by_address(
            ride.trainer.address, timeout=2, backend=scanner
        )
        assert device is not None
        async with BleakClient(device, backend=client_backend, timeout=5) as client:
            with pytest.raises(BleakGATTProtocolError) as refused:
                await client.write_gatt_char(uuids.FITNESS_MACHINE_CONTROL_POINT, b"\x00", True)
        assert refused.value.code == 0xFD
    finally:
        await ride.stop()


async def test_connecting_to_an_address_nobody_advertises_fails_quickly() -> None:
    ride = EmulatedRide()
    _, client_backend = ride.radio.backends()

    with pytest.raises(BleakDeviceNotFoundError):
        await asyncio.wait_for(
            BleakClient("F9:99:99:99:99:99", backend=client_backend, timeout=1).connect(), 5
        )
