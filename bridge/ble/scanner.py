"""Discovery with bleak: which sensors are around, and finding a remembered one again.

`backend` is bleak's documented seam for another Bluetooth stack (None: the platform's
own); the tests and `--simulate` pass the bumble backend.
"""

from __future__ import annotations

from bleak import BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import BaseBleakScanner

from bridge.ble.devices import Discovered
from bridge.ble.profiles import SERVICE_OF, kinds_advertised


async def discover(
    timeout_s: float, backend: type[BaseBleakScanner] | None = None
) -> list[Discovered]:
    """Sensors advertising one of the services the bridge understands."""
    services = list(SERVICE_OF.values())
    if backend is None:
        found = await BleakScanner.discover(timeout_s, return_adv=True, service_uuids=services)
    else:
        found = await BleakScanner.discover(
            timeout_s, return_adv=True, service_uuids=services, backend=backend
        )
    sensors = []
    for device, advertisement in found.values():
        kinds = kinds_advertised(advertisement.service_uuids)
        if kinds:
            name = advertisement.local_name or device.name or device.address
            sensors.append(Discovered(device.address, name, kinds, advertisement.rssi))
    return sorted(sensors, key=lambda d: (-d.rssi, d.address))


async def find(
    address: str, timeout_s: float, backend: type[BaseBleakScanner] | None = None
) -> BLEDevice | None:
    """The remembered device if it is advertising now (connecting needs a fresh sighting)."""
    if backend is None:
        return await BleakScanner.find_device_by_address(address, timeout=timeout_s)
    return await BleakScanner.find_device_by_address(address, timeout=timeout_s, backend=backend)
