"""A bleak backend on bumble's in-memory radio, so the bridge's ordinary `BleakScanner` /
`BleakClient` code runs against emulated peripherals (tests, `wattlog bridge --simulate`).

`BumbleRadio` is the bridge's adapter: one bumble central on a `LocalLink`. `radio.backends()`
returns a scanner and a client class bound to it, to pass as bleak's documented `backend=`
argument. bleak's backend API is not declared stable; pyproject pins bleak's minor version.
A connect to an address nobody advertises would wait forever in bumble's virtual controller,
so every connect is bounded by `asyncio.wait_for`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any, ClassVar

from bleak.args import SizedBuffer
from bleak.assigned_numbers import gatt_char_props_to_strs
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakDeviceNotFoundError, BleakError, BleakGATTProtocolError
from bumble import att
from bumble.controller import Controller
from bumble.core import UUID as BumbleUUID
from bumble.core import AdvertisingData
from bumble.device import Advertisement, Connection, Device, Peer
from bumble.hci import Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport.common import AsyncPipeSink

CENTRAL_ADDRESS = "C0:00:00:00:00:01"
_SERVICE_LISTS = (
    AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.INCOMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
)


def virtual_device(link: LocalLink, name: str, address: str) -> Device:
    """A bumble device with its own virtual controller on `link`."""
    controller = Controller(name, link=link, public_address=address)
    return Device(
        name=name, address=Address(address), host=Host(controller, AsyncPipeSink(controller))
    )


def uuid_text(value: BumbleUUID) -> str:
    """bleak's form of a UUID: the full 128-bit string in lower case."""
    return str(uuid.UUID(bytes=bytes(reversed(value.uuid_128_bytes))))


class BumbleRadio:
    """The bridge's Bluetooth adapter on a virtual link; scanning is shared and ref-counted."""

    def __init__(self, link: LocalLink, address: str = CENTRAL_ADDRESS) -> None:
        self.device = virtual_device(link, "wattlog-bridge", address)
        self._listeners: set[Callable[[Advertisement], None]] = set()
        self._power_lock = asyncio.Lock()
        self._powered = False
        self.device.on(Device.EVENT_ADVERTISEMENT, self._on_advertisement)

    async def power_on(self) -> None:
        async with self._power_lock:
            if not self._powered:
                await self.device.power_on()
                self._powered = True

    async def add_scan_listener(self, listener: Callable[[Advertisement], None]) -> None:
        await self.power_on()
        self._listeners.add(listener)
        if len(self._listeners) == 1:
            await self.device.start_scanning(filter_duplicates=False)

    async def remove_scan_listener(self, listener: Callable[[Advertisement], None]) -> None:
        self._listeners.discard(listener)
        if not self._listeners and self.device.is_scanning:
            await self.device.stop_scanning()

    async def connect(self, address: str, within_s: float) -> Connection:
        await self.power_on()
        return await asyncio.wait_for(
            self.device.connect(Address(address), timeout=within_s), within_s
        )

    def _on_advertisement(self, advertisement: Advertisement) -> None:
        for listener in list(self._listeners):
            listener(advertisement)

    def backends(self) -> tuple[type[BaseBleakScanner], type[BaseBleakClient]]:
        """Scanner and client backend classes bound to this radio (bleak's `backend=`)."""
        radio = self

        class Scanner(BumbleScanner):
            pass

        class Client(BumbleClient):
            pass

        Scanner.radio = radio
        Client.radio = radio
        return Scanner, Client


class BumbleScanner(BaseBleakScanner):
    radio: ClassVar[BumbleRadio]

    def __init__(
        self,
        detection_callback: Any,
        service_uuids: list[str] | None,
        scanning_mode: str = "active",
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)

    async def start(self) -> None:
        self.seen_devices = {}
        await self.radio.add_scan_listener(self._on_advertisement)

    async def stop(self) -> None:
        await self.radio.remove_scan_listener(self._on_advertisement)

    def _on_advertisement(self, advertisement: Advertisement) -> None:
        data = advertisement.data
        service_uuids: list[str] = []
        for kind in _SERVICE_LISTS:
            for values in data.get_all(kind):
                if isinstance(values, list):
                    service_uuids += [uuid_text(v) for v in values if isinstance(v, BumbleUUID)]
        service_uuids = list(dict.fromkeys(service_uuids))  # scan responses repeat the list
        if not self.is_allowed_uuid(service_uuids):
            return
        name = data.get(AdvertisingData.COMPLETE_LOCAL_NAME) or data.get(
            AdvertisingData.SHORTENED_LOCAL_NAME
        )
        local_name = name.decode() if isinstance(name, bytes) else (str(name) if name else None)
        address = advertisement.address.to_string(with_type_qualifier=False)
        advertisement_data = AdvertisementData(
            local_name=local_name,
            manufacturer_data={},
            service_data={},
            service_uuids=service_uuids,
            tx_power=None,
            rssi=advertisement.rssi,
            platform_data=(advertisement,),
        )
        device = self.create_or_update_device(
            address, address, local_name, advertisement, advertisement_data
        )
        self.call_detection_callbacks(device, advertisement_data)


class BumbleClient(BaseBleakClient):
    radio: ClassVar[BumbleRadio]

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        disconnected_callback: Callable[[], None] | None,
        timeout: float,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout
        )
        self._device_given = isinstance(address_or_ble_device, BLEDevice)
        self._name = (
            address_or_ble_device.name if isinstance(address_or_ble_device, BLEDevice) else None
        )
        self._connection: Connection | None = None
        self._peer: Peer | None = None
        self._closing = False

    @property
    def name(self) -> str:
        return self._name or self.address.replace(":", "-")

    @property
    def mtu_size(self) -> int:
        return self._connection.att_mtu if self._connection else att.ATT_DEFAULT_MTU

    @property
    def is_connected(self) -> bool:
        return self._connection is not None

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        if not self._device_given and not await self._advertising(self.address):
            raise BleakDeviceNotFoundError(self.address, f"{self.address} was not found")
        try:
            connection = await self.radio.connect(self.address, self._timeout)
        except TimeoutError:
            raise BleakDeviceNotFoundError(self.address, f"{self.address} did not answer") from None
        self._connection = connection
        connection.on(Connection.EVENT_DISCONNECTION, self._on_disconnection)
        peer = Peer(connection)
        await peer.discover_services()
        for service in peer.services:
            await peer.discover_characteristics(service=service)
            for characteristic in service.characteristics:
                await peer.discover_descriptors(characteristic=characteristic)
        self._peer = peer
        self.services = self._collection(peer)

    async def disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._closing = True
            await connection.disconnect()

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        raise BleakError("pairing is not emulated")

    async def unpair(self) -> None:
        raise BleakError("pairing is not emulated")

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        return bytearray(await self._att(self._live_peer().read_value(characteristic.obj)))

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        return bytearray(await self._att(self._live_peer().read_value(descriptor.obj)))

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
    ) -> None:
        write = self._live_peer().write_value(
            characteristic.obj, bytes(data), with_response=response
        )
        await self._att(write)

    async def write_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, data: SizedBuffer
    ) -> None:
        await self._att(self._live_peer().write_value(descriptor.obj, bytes(data), True))

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        def deliver(value: bytes) -> None:
            callback(bytearray(value))

        await self._att(self._live_peer().subscribe(characteristic.obj, deliver, True))

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        await self._att(self._live_peer().unsubscribe(characteristic.obj))

    def _live_peer(self) -> Peer:
        if self._peer is None or self._connection is None:
            raise BleakError("Not connected")
        return self._peer

    @staticmethod
    async def _att(operation: Any) -> Any:
        try:
            return await operation
        except att.ATT_Error as error:
            raise BleakGATTProtocolError(int(error.error_code)) from None

    async def _advertising(self, address: str) -> bool:
        seen = asyncio.Event()

        def listener(advertisement: Advertisement) -> None:
            if advertisement.address.to_string(with_type_qualifier=False) == address.upper():
                seen.set()

        await self.radio.add_scan_listener(listener)
        try:
            await asyncio.wait_for(seen.wait(), self._timeout)
            return True
        except TimeoutError:
            return False
        finally:
            await self.radio.remove_scan_listener(listener)

    def _on_disconnection(self, reason: int) -> None:
        self._connection = None
        self._peer = None
        solicited, self._closing = self._closing, False
        if not solicited and self._disconnected_callback is not None:
            self._disconnected_callback()

    def _collection(self, peer: Peer) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        for proxy in peer.services:
            service = BleakGATTService(proxy, proxy.handle, uuid_text(proxy.uuid))
            collection.add_service(service)
            for char_proxy in proxy.characteristics:
                characteristic = BleakGATTCharacteristic(
                    char_proxy,
                    char_proxy.handle,
                    uuid_text(char_proxy.uuid),
                    sorted(gatt_char_props_to_strs(int(char_proxy.properties))),
                    lambda: self.mtu_size - 3,
                    service,
                )
                collection.add_characteristic(characteristic)
                for descriptor in char_proxy.descriptors:
                    collection.add_descriptor(
                        BleakGATTDescriptor(
                            descriptor,
                            descriptor.handle,
                            uuid_text(descriptor.type),
                            characteristic,
                        )
                    )
        return collection
