"""Heart Rate Measurement (0x2A37, Heart Rate Service): decode and encode.

Flags (uint8): bit 0 heart rate format (0 = uint8, 1 = uint16); bits 1-2 sensor contact
(0b0x not supported, 0b10 supported but no contact, 0b11 contact); bit 3 Energy Expended
(uint16 kJ) present; bit 4 RR-Interval present: every remaining uint16 is an RR interval in
1/1024 s, oldest first (a strap sends 0 to about 9 per notification).
"""

from __future__ import annotations

from dataclasses import dataclass

from bridge.gatt.errors import GattDecodeError, GattEncodeError
from bridge.gatt.fields import GattValue, require_at_least

CHARACTERISTIC = "Heart Rate Measurement"

_UINT16_FORMAT = 0x01
_CONTACT_SUPPORTED = 0x04
_CONTACT_DETECTED = 0x02
_ENERGY_PRESENT = 0x08
_RR_PRESENT = 0x10


@dataclass(frozen=True)
class HeartRateMeasurement:
    """sensor_contact is None when the strap does not support contact detection."""

    heart_rate_bpm: int
    sensor_contact: bool | None = None
    energy_expended_kj: int | None = None
    rr_1024: tuple[int, ...] = ()

    def as_values(self) -> dict[str, GattValue]:
        """rr_1024 is always present (an empty list when the notification carried none)."""
        values: dict[str, GattValue] = {"heart_rate_bpm": self.heart_rate_bpm}
        if self.sensor_contact is not None:
            values["sensor_contact"] = self.sensor_contact
        if self.energy_expended_kj is not None:
            values["energy_expended_kj"] = self.energy_expended_kj
        values["rr_1024"] = list(self.rr_1024)
        return values


def decode_heart_rate_measurement(payload: bytes) -> HeartRateMeasurement:
    require_at_least(CHARACTERISTIC, "flags", 1, payload)
    flags = payload[0]
    hr_size = 2 if flags & _UINT16_FORMAT else 1
    energy_size = 2 if flags & _ENERGY_PRESENT else 0
    fixed = 1 + hr_size + energy_size
    require_at_least(CHARACTERISTIC, f"flags 0x{flags:02x}", fixed, payload)
    heart_rate = int.from_bytes(payload[1 : 1 + hr_size], "little")
    energy = int.from_bytes(payload[1 + hr_size : fixed], "little") if energy_size else None
    rr_bytes = payload[fixed:]
    if rr_bytes and not flags & _RR_PRESENT:
        raise GattDecodeError(
            CHARACTERISTIC, f"flags 0x{flags:02x} need {fixed} bytes, got {len(payload)}"
        )
    if len(rr_bytes) % 2:
        raise GattDecodeError(
            CHARACTERISTIC, f"RR intervals need an even number of bytes, got {len(rr_bytes)}"
        )
    rr = tuple(int.from_bytes(rr_bytes[i : i + 2], "little") for i in range(0, len(rr_bytes), 2))
    contact = bool(flags & _CONTACT_DETECTED) if flags & _CONTACT_SUPPORTED else None
    return HeartRateMeasurement(heart_rate, contact, energy, rr)


def encode_heart_rate_measurement(measurement: HeartRateMeasurement) -> bytes:
    """uint8 format when the rate fits, else uint16; the RR flag is set when RR are given."""
    hr = measurement.heart_rate_bpm
    _check_uint("heart_rate_bpm", hr, 0xFFFF)
    flags = 0
    body = bytearray()
    if hr > 0xFF:
        flags |= _UINT16_FORMAT
        body += hr.to_bytes(2, "little")
    else:
        body.append(hr)
    if measurement.sensor_contact is not None:
        flags |= _CONTACT_SUPPORTED
        if measurement.sensor_contact:
            flags |= _CONTACT_DETECTED
    if measurement.energy_expended_kj is not None:
        _check_uint("energy_expended_kj", measurement.energy_expended_kj, 0xFFFF)
        flags |= _ENERGY_PRESENT
        body += measurement.energy_expended_kj.to_bytes(2, "little")
    if measurement.rr_1024:
        flags |= _RR_PRESENT
        for rr in measurement.rr_1024:
            _check_uint("rr_1024", rr, 0xFFFF)
            body += rr.to_bytes(2, "little")
    return bytes([flags]) + bytes(body)


def _check_uint(name: str, value: int, maximum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise GattEncodeError(CHARACTERISTIC, f"{name}={value!r} is not an integer 0..{maximum}")
