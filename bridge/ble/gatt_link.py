"""The few GATT operations trainer control needs, over a connected BleakClient.

TrainerController works against the `GattLink` protocol, so `--simulate` without bumble
can plug a virtual trainer in directly; with bumble (and with hardware) it is this class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.exc import BleakError, BleakGATTProtocolError


class GattLinkError(RuntimeError):
    """A GATT operation failed (the link dropped, or the device misbehaved)."""


class GattWriteRefused(GattLinkError):
    """The peripheral answered a write with an ATT error (0xFE: procedure already in progress,
    0xFD: indications not enabled, ...)."""

    def __init__(self, att_error: int, message: str) -> None:
        super().__init__(f"ATT error 0x{att_error:02x}: {message}")
        self.att_error = att_error


class GattLink(Protocol):
    def has(self, characteristic: str) -> bool: ...

    async def read(self, characteristic: str) -> bytes: ...

    async def write(self, characteristic: str, data: bytes) -> None: ...

    async def subscribe(self, characteristic: str, callback: Callable[[bytes], None]) -> None: ...


class BleakGattLink:
    def __init__(self, client: BleakClient) -> None:
        self._client = client

    def has(self, characteristic: str) -> bool:
        return self._client.services.get_characteristic(characteristic) is not None

    async def read(self, characteristic: str) -> bytes:
        try:
            return bytes(await self._client.read_gatt_char(characteristic))
        except BleakError as error:
            raise GattLinkError(f"reading {characteristic}: {error}") from error

    async def write(self, characteristic: str, data: bytes) -> None:
        """Write with response: returns once the peripheral accepted the write."""
        try:
            await self._client.write_gatt_char(characteristic, data, response=True)
        except BleakGATTProtocolError as error:
            raise GattWriteRefused(int(error.code), str(error)) from error
        except BleakError as error:
            raise GattLinkError(f"writing {characteristic}: {error}") from error

    async def subscribe(self, characteristic: str, callback: Callable[[bytes], None]) -> None:
        def deliver(_: BleakGATTCharacteristic, data: bytearray) -> None:
            callback(bytes(data))

        try:
            await self._client.start_notify(characteristic, deliver)
        except BleakError as error:
            raise GattLinkError(f"subscribing to {characteristic}: {error}") from error
