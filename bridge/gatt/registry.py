"""One entry point for the bridge: characteristic UUID (or name) + payload -> value dict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bridge.gatt import uuids
from bridge.gatt.control_point import decode_control_point_response
from bridge.gatt.csc import decode_csc_measurement
from bridge.gatt.cycling_power import decode_cycling_power_measurement
from bridge.gatt.errors import GattDecodeError, UnknownUuidError
from bridge.gatt.fields import GattValue
from bridge.gatt.fitness_machine import (
    decode_fitness_machine_feature,
    decode_fitness_machine_status,
    decode_supported_power_range,
    decode_supported_resistance_level_range,
)
from bridge.gatt.heart_rate import decode_heart_rate_measurement
from bridge.gatt.indoor_bike_data import decode_indoor_bike_data


class Decoded(Protocol):
    def as_values(self) -> dict[str, GattValue]: ...


DECODERS: dict[str, Callable[[bytes], Decoded]] = {
    uuids.INDOOR_BIKE_DATA: decode_indoor_bike_data,
    uuids.CYCLING_POWER_MEASUREMENT: decode_cycling_power_measurement,
    uuids.HEART_RATE_MEASUREMENT: decode_heart_rate_measurement,
    uuids.CSC_MEASUREMENT: decode_csc_measurement,
    uuids.FITNESS_MACHINE_STATUS: decode_fitness_machine_status,
    uuids.SUPPORTED_POWER_RANGE: decode_supported_power_range,
    uuids.SUPPORTED_RESISTANCE_LEVEL_RANGE: decode_supported_resistance_level_range,
    uuids.FITNESS_MACHINE_FEATURE: decode_fitness_machine_feature,
    uuids.FITNESS_MACHINE_CONTROL_POINT: decode_control_point_response,
}


def decode(characteristic: str, payload: bytes) -> Decoded:
    """The typed decoded value (a frozen dataclass) for a characteristic's payload."""
    try:
        uuid = uuids.normalize_uuid(characteristic)
    except UnknownUuidError:
        raise GattDecodeError(characteristic, "not a characteristic UUID or name") from None
    decoder = DECODERS.get(uuid)
    if decoder is None:
        raise GattDecodeError(characteristic, "no decoder for this characteristic")
    return decoder(bytes(payload))


def decode_characteristic(characteristic: str, payload: bytes) -> dict[str, GattValue]:
    """Accepts "2ad2", "0x2AD2", the 128-bit UUID or "indoor_bike_data"; returns only the
    fields present. Unknown characteristics and malformed payloads raise GattDecodeError."""
    return decode(characteristic, payload).as_values()
