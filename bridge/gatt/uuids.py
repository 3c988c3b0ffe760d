"""Bluetooth SIG service and characteristic UUIDs, and one normal form for all of them.

Every UUID the bridge handles is stored as the full lower-case 128-bit string
("00002ad2-0000-1000-8000-00805f9b34fb"); `normalize_uuid` turns the usual spellings
("2ad2", "0x2AD2", "00002AD2", the 128-bit form with or without dashes) and the
characteristic names below into it.
"""

from __future__ import annotations

import re

from bridge.gatt.errors import UnknownUuidError

_BASE_SUFFIX = "-0000-1000-8000-00805f9b34fb"


def sig_uuid(short: int) -> str:
    """The full 128-bit form of a 16-bit SIG-assigned UUID."""
    return f"{short:08x}{_BASE_SUFFIX}"


FITNESS_MACHINE_SERVICE = sig_uuid(0x1826)
CYCLING_POWER_SERVICE = sig_uuid(0x1818)
HEART_RATE_SERVICE = sig_uuid(0x180D)
CYCLING_SPEED_AND_CADENCE_SERVICE = sig_uuid(0x1816)

INDOOR_BIKE_DATA = sig_uuid(0x2AD2)
FITNESS_MACHINE_FEATURE = sig_uuid(0x2ACC)
SUPPORTED_RESISTANCE_LEVEL_RANGE = sig_uuid(0x2AD6)
SUPPORTED_POWER_RANGE = sig_uuid(0x2AD8)
FITNESS_MACHINE_CONTROL_POINT = sig_uuid(0x2AD9)
FITNESS_MACHINE_STATUS = sig_uuid(0x2ADA)
CYCLING_POWER_MEASUREMENT = sig_uuid(0x2A63)
HEART_RATE_MEASUREMENT = sig_uuid(0x2A37)
CSC_MEASUREMENT = sig_uuid(0x2A5B)

CHARACTERISTIC_NAMES: dict[str, str] = {
    "indoor_bike_data": INDOOR_BIKE_DATA,
    "fitness_machine_feature": FITNESS_MACHINE_FEATURE,
    "supported_resistance_level_range": SUPPORTED_RESISTANCE_LEVEL_RANGE,
    "supported_power_range": SUPPORTED_POWER_RANGE,
    "fitness_machine_control_point": FITNESS_MACHINE_CONTROL_POINT,
    "fitness_machine_status": FITNESS_MACHINE_STATUS,
    "cycling_power_measurement": CYCLING_POWER_MEASUREMENT,
    "heart_rate_measurement": HEART_RATE_MEASUREMENT,
    "csc_measurement": CSC_MEASUREMENT,
}

_SHORT = re.compile(r"(?:0x)?([0-9a-f]{4}|[0-9a-f]{8})")
_FULL = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")


def normalize_uuid(text: str) -> str:
    """Return the full lower-case 128-bit UUID for a UUID spelling or a characteristic name."""
    candidate = text.strip().lower()
    if candidate in CHARACTERISTIC_NAMES:
        return CHARACTERISTIC_NAMES[candidate]
    short = _SHORT.fullmatch(candidate)
    if short:
        return sig_uuid(int(short.group(1), 16))
    if _FULL.fullmatch(candidate):
        digits = candidate.replace("-", "")
        return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"
    raise UnknownUuidError(f"{text!r} is not a Bluetooth UUID or a known characteristic name")


def short_uuid(uuid: str) -> str:
    """ "2ad2" for a SIG-based UUID, else the full form (for logs and messages)."""
    full = normalize_uuid(uuid)
    if full.endswith(_BASE_SUFFIX) and full.startswith("0000"):
        return full[4:8]
    return full
