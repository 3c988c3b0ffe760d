"""Errors raised by the GATT codecs.

Decoding never lets an IndexError or struct.error escape: every malformed payload becomes a
`GattDecodeError` naming the characteristic, which the caller counts and drops.
"""

from __future__ import annotations


class GattError(Exception):
    """Base class of every error raised by bridge.gatt."""


class GattDecodeError(GattError, ValueError):
    """A payload that cannot be decoded; str() reads "<Characteristic>: <reason>"."""

    def __init__(self, characteristic: str, reason: str) -> None:
        super().__init__(f"{characteristic}: {reason}")
        self.characteristic = characteristic
        self.reason = reason


class GattEncodeError(GattError, ValueError):
    """A value that cannot be put on the wire (out of the field's range, not finite, ...)."""

    def __init__(self, characteristic: str, reason: str) -> None:
        super().__init__(f"{characteristic}: {reason}")
        self.characteristic = characteristic
        self.reason = reason


class UnknownUuidError(GattError, ValueError):
    """A string that is neither a Bluetooth UUID nor a characteristic name we know."""
