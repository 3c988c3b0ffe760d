"""One remembered device, kept connected: find it, connect a fresh BleakClient, subscribe to
its notifications, and when it drops, wait (exponential backoff with jitter) and start over.

bleak callbacks never do work: a notification becomes a `Notification` handed to
`on_notification` (an enqueue), a disconnect sets an event. Scanning and connecting are
serialised across devices with one lock, since many Bluetooth stacks (BlueZ among them)
misbehave when several connects or a scan and a connect overlap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient
from bleak.backends.scanner import BaseBleakScanner

from bridge.backoff import Backoff
from bridge.ble.devices import KnownDevice
from bridge.ble.gatt_link import BleakGattLink, GattLink
from bridge.ble.profiles import SAMPLED_CHARACTERISTICS
from bridge.ble.scanner import find
from bridge.decoding import Notification
from bridge.gatt import uuids

log = logging.getLogger(__name__)

STABLE_AFTER_S = 10.0  # a connection that lasted this long resets the backoff
DISCONNECT_TIMEOUT_S = 5.0


class SensorLinkError(RuntimeError):
    """A sensor could not be used this time; the link tries again after its backoff."""


class DeviceNotFound(SensorLinkError):
    """The device did not advertise within the scan timeout."""


class WrongKindOfSensor(SensorLinkError):
    """The device lacks the characteristic its remembered kind needs."""


class LinkState(StrEnum):
    WAITING = "waiting"
    SEARCHING = "searching"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    STOPPED = "stopped"


@dataclass(frozen=True)
class BleBackends:
    """bleak backend classes; None means the platform's own Bluetooth stack."""

    scanner: type[BaseBleakScanner] | None = None
    client: type[BaseBleakClient] | None = None


@dataclass
class LinkStatus:
    state: LinkState = LinkState.WAITING
    connects: int = 0
    last_error: str | None = None
    last_error_at: float = 0.0
    connected_since: float | None = None

    def note_error(self, message: str) -> None:
        self.last_error, self.last_error_at = message, time.time()


@dataclass
class LinkTimeouts:
    scan_s: float = 10.0
    connect_s: float = 15.0


@dataclass
class DeviceLink:
    device: KnownDevice
    on_notification: Callable[[Notification], None]
    backends: BleBackends
    radio_lock: asyncio.Lock
    timeouts: LinkTimeouts = field(default_factory=LinkTimeouts)
    on_connected: Callable[[KnownDevice, GattLink], Awaitable[None]] | None = None
    on_disconnected: Callable[[KnownDevice], None] | None = None
    backoff: Backoff = field(default_factory=Backoff)
    status: LinkStatus = field(default_factory=LinkStatus)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            started = time.monotonic()
            try:
                await self._session(stop)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # any failure of one attempt: report it, retry later
                self.status.note_error(f"{self.device.name}: {error or type(error).__name__}")
                log.warning(
                    "sensor connection failed",
                    extra={"address": self.device.address, "error": str(error)},
                )
            if time.monotonic() - started > STABLE_AFTER_S:
                self.backoff.reset()
            self.status.state = LinkState.WAITING
            if not await self.backoff.wait(stop):
                break
        self.status.state = LinkState.STOPPED

    async def _session(self, stop: asyncio.Event) -> None:
        disconnected = asyncio.Event()
        async with self.radio_lock:
            self.status.state = LinkState.SEARCHING
            found = await find(self.device.address, self.timeouts.scan_s, self.backends.scanner)
            if found is None:
                raise DeviceNotFound(f"{self.device.address} is not advertising")
            self.status.state = LinkState.CONNECTING
            # A fresh client for every connection: bleak clients are not reusable after a drop.
            client = BleakClient(
                found,
                disconnected_callback=lambda _: disconnected.set(),
                timeout=self.timeouts.connect_s,
                backend=self.backends.client,
            )
            try:
                await asyncio.wait_for(client.connect(), self.timeouts.connect_s)
            except BaseException:
                await _disconnect_quietly(client)  # a connect cut short may be half-open
                raise
        try:
            await self._subscribe(client)
            if self.on_connected is not None:
                await self.on_connected(self.device, BleakGattLink(client))
            self.status.state = LinkState.CONNECTED
            self.status.connects += 1
            self.status.connected_since = time.time()
            log.info("sensor connected", extra={"address": self.device.address})
            await _wait_any(disconnected, stop)
            if disconnected.is_set():
                self.status.note_error(f"{self.device.name}: connection lost")
                log.warning("sensor disconnected", extra={"address": self.device.address})
        finally:
            self.status.connected_since = None
            if self.on_disconnected is not None:
                self.on_disconnected(self.device)
            await _disconnect_quietly(client)

    async def _subscribe(self, client: BleakClient) -> None:
        for kind in self.device.kinds:
            for index, characteristic in enumerate(SAMPLED_CHARACTERISTICS[kind]):
                if client.services.get_characteristic(characteristic) is None:
                    if index == 0:
                        raise WrongKindOfSensor(
                            f"{self.device.name} has no {uuids.short_uuid(characteristic)}"
                            f" characteristic: it is not a {kind.value}"
                        )
                    continue
                await client.start_notify(characteristic, self._enqueue(kind.value, characteristic))

    def _enqueue(
        self, sensor_id: str, characteristic: str
    ) -> Callable[[BleakGATTCharacteristic, bytearray], None]:
        deliver = self.on_notification

        def enqueue(_: BleakGATTCharacteristic, data: bytearray) -> None:
            deliver(
                Notification(sensor_id, characteristic, bytes(data), time.time(), time.monotonic())
            )

        return enqueue


async def _disconnect_quietly(client: BleakClient) -> None:
    if client.is_connected:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.disconnect(), DISCONNECT_TIMEOUT_S)


async def _wait_any(*events: asyncio.Event) -> None:
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
