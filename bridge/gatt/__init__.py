"""Pure BLE GATT codecs: bytes in, frozen dataclasses / value dicts out, and back.

See docs/ble.md. Nothing here does I/O or keeps a clock.
"""

from bridge.gatt.control_point import (
    ControlOp,
    ControlPointRequest,
    ControlPointResponse,
    ResultCode,
    clamp_target_power,
    decode_control_point_request,
    decode_control_point_response,
    encode_control_point_response,
    encode_request_control,
    encode_reset,
    encode_set_indoor_bike_simulation,
    encode_set_target_power,
    encode_set_target_resistance,
    encode_start_or_resume,
    encode_stop_or_pause,
)
from bridge.gatt.csc import CscMeasurement, decode_csc_measurement, encode_csc_measurement
from bridge.gatt.cycling_power import (
    CyclingPowerMeasurement,
    decode_cycling_power_measurement,
    encode_cycling_power_measurement,
)
from bridge.gatt.errors import GattDecodeError, GattEncodeError, GattError, UnknownUuidError
from bridge.gatt.fields import GattValue
from bridge.gatt.fitness_machine import (
    FitnessMachineFeature,
    FitnessMachineStatus,
    SupportedPowerRange,
    SupportedResistanceLevelRange,
    decode_fitness_machine_feature,
    decode_fitness_machine_status,
    decode_supported_power_range,
    decode_supported_resistance_level_range,
    encode_fitness_machine_feature,
    encode_fitness_machine_status,
    encode_supported_power_range,
    encode_supported_resistance_level_range,
)
from bridge.gatt.heart_rate import (
    HeartRateMeasurement,
    decode_heart_rate_measurement,
    encode_heart_rate_measurement,
)
from bridge.gatt.indoor_bike_data import (
    IndoorBikeData,
    IndoorBikeDataAssembler,
    decode_indoor_bike_data,
    encode_indoor_bike_data,
)
from bridge.gatt.registry import decode, decode_characteristic
from bridge.gatt.revolutions import (
    CrankCadenceTracker,
    CscRates,
    CscRateTracker,
    cadence_from_crank,
    csc_rates,
    speed_from_wheel,
)
from bridge.gatt.uuids import normalize_uuid

__all__ = [
    "ControlOp",
    "ControlPointRequest",
    "ControlPointResponse",
    "CrankCadenceTracker",
    "CscMeasurement",
    "CscRateTracker",
    "CscRates",
    "CyclingPowerMeasurement",
    "FitnessMachineFeature",
    "FitnessMachineStatus",
    "GattDecodeError",
    "GattEncodeError",
    "GattError",
    "GattValue",
    "HeartRateMeasurement",
    "IndoorBikeData",
    "IndoorBikeDataAssembler",
    "ResultCode",
    "SupportedPowerRange",
    "SupportedResistanceLevelRange",
    "UnknownUuidError",
    "cadence_from_crank",
    "clamp_target_power",
    "csc_rates",
    "decode",
    "decode_characteristic",
    "decode_control_point_request",
    "decode_control_point_response",
    "decode_csc_measurement",
    "decode_cycling_power_measurement",
    "decode_fitness_machine_feature",
    "decode_fitness_machine_status",
    "decode_heart_rate_measurement",
    "decode_indoor_bike_data",
    "decode_supported_power_range",
    "decode_supported_resistance_level_range",
    "encode_control_point_response",
    "encode_csc_measurement",
    "encode_cycling_power_measurement",
    "encode_fitness_machine_feature",
    "encode_fitness_machine_status",
    "encode_heart_rate_measurement",
    "encode_indoor_bike_data",
    "encode_request_control",
    "encode_reset",
    "encode_set_indoor_bike_simulation",
    "encode_set_target_power",
    "encode_set_target_resistance",
    "encode_start_or_resume",
    "encode_stop_or_pause",
    "encode_supported_power_range",
    "encode_supported_resistance_level_range",
    "normalize_uuid",
    "speed_from_wheel",
]
