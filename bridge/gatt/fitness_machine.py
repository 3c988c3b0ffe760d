"""Fitness Machine Status (0x2ADA), Supported Power Range (0x2AD8), Supported Resistance
Level Range (0x2AD6) and Fitness Machine Feature (0x2ACC): decode and encode."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bridge.gatt.errors import GattDecodeError, GattEncodeError
from bridge.gatt.fields import (
    Field,
    GattValue,
    fields_size,
    read_fields,
    require_at_least,
    require_length,
    write_fields,
)

STATUS = "Fitness Machine Status"
POWER_RANGE = "Supported Power Range"
RESISTANCE_RANGE = "Supported Resistance Level Range"
FEATURE = "Fitness Machine Feature"

STOP = 1
PAUSE = 2
SIMULATION_FIELDS = (
    Field("wind_speed_mps", "s16", 1000),
    Field("grade_pct", "s16", 100),
    Field("crr", "u8", 10000),
    Field("cw_kg_per_m", "u8", 100),
)


def _zones(count: int) -> tuple[Field, ...]:
    return tuple(Field(f"zone_{index}_s", "u16") for index in range(1, count + 1))


# op code -> (event name, parameter fields)
STATUS_EVENTS: dict[int, tuple[str, tuple[Field, ...]]] = {
    0x01: ("reset", ()),
    0x02: ("stopped_or_paused_by_user", (Field("stop_or_pause", "u8"),)),  # 1 stop, 2 pause
    0x03: ("stopped_by_safety_key", ()),
    0x04: ("started_or_resumed_by_user", ()),
    0x05: ("target_speed_changed", (Field("target_speed_kmh", "u16", 100),)),
    0x06: ("target_incline_changed", (Field("target_incline_pct", "s16", 10),)),
    0x07: ("target_resistance_changed", (Field("target_resistance", "u8", 10),)),
    0x08: ("target_power_changed", (Field("target_power_w", "s16"),)),
    0x09: ("target_heart_rate_changed", (Field("target_heart_rate_bpm", "u8"),)),
    0x0A: ("targeted_expended_energy_changed", (Field("targeted_energy_kcal", "u16"),)),
    0x0B: ("targeted_steps_changed", (Field("targeted_steps", "u16"),)),
    0x0C: ("targeted_strides_changed", (Field("targeted_strides", "u16"),)),
    0x0D: ("targeted_distance_changed", (Field("targeted_distance_m", "u24"),)),
    0x0E: ("targeted_training_time_changed", (Field("targeted_time_s", "u16"),)),
    0x0F: ("targeted_time_in_two_hr_zones_changed", _zones(2)),
    0x10: ("targeted_time_in_three_hr_zones_changed", _zones(3)),
    0x11: ("targeted_time_in_five_hr_zones_changed", _zones(5)),
    0x12: ("indoor_bike_simulation_changed", SIMULATION_FIELDS),
    0x13: ("wheel_circumference_changed", (Field("wheel_circumference_mm", "u16", 10),)),
    0x14: ("spin_down_status", (Field("spin_down_status", "u8"),)),
    0x15: ("targeted_cadence_changed", (Field("targeted_cadence_rpm", "u16", 2),)),
    0xFF: ("control_permission_lost", ()),
}
_STATUS_OP_CODES = {name: op for op, (name, _) in STATUS_EVENTS.items()}


@dataclass(frozen=True)
class FitnessMachineStatus:
    """event is the op code's name; an op code the spec reserves decodes as "unknown_0xNN"
    with no parameters (its bytes are ignored: a vendor extension is not an error)."""

    op_code: int
    event: str
    parameters: Mapping[str, float | int] = field(default_factory=dict)

    def as_values(self) -> dict[str, GattValue]:
        return {"op_code": self.op_code, **self.parameters}


def decode_fitness_machine_status(payload: bytes) -> FitnessMachineStatus:
    require_at_least(STATUS, "op code", 1, payload)
    op_code = payload[0]
    if op_code not in STATUS_EVENTS:
        return FitnessMachineStatus(op_code, f"unknown_0x{op_code:02x}")
    event, parameter_fields = STATUS_EVENTS[op_code]
    require_length(STATUS, f"op code 0x{op_code:02x}", 1 + fields_size(parameter_fields), payload)
    parameters, _ = read_fields(payload, 1, parameter_fields)
    return FitnessMachineStatus(op_code, event, parameters)


def encode_fitness_machine_status(event: str, **parameters: float) -> bytes:
    """E.g. encode_fitness_machine_status("target_power_changed", target_power_w=250)."""
    if event not in _STATUS_OP_CODES:
        raise GattEncodeError(STATUS, f"unknown event {event!r}")
    op_code = _STATUS_OP_CODES[event]
    parameter_fields = STATUS_EVENTS[op_code][1]
    expected = {f.name for f in parameter_fields}
    if set(parameters) != expected:
        raise GattEncodeError(STATUS, f"{event} takes parameters {sorted(expected)}")
    return bytes([op_code]) + write_fields(parameters, parameter_fields, STATUS)


@dataclass(frozen=True)
class SupportedPowerRange:
    minimum_w: int
    maximum_w: int
    increment_w: int

    def as_values(self) -> dict[str, GattValue]:
        return {
            "min_power_w": self.minimum_w,
            "max_power_w": self.maximum_w,
            "power_increment_w": self.increment_w,
        }


_POWER_RANGE_FIELDS = (
    Field("minimum_w", "s16"),
    Field("maximum_w", "s16"),
    Field("increment_w", "u16"),
)


def decode_supported_power_range(payload: bytes) -> SupportedPowerRange:
    require_length(POWER_RANGE, "the range", 6, payload)
    values, _ = read_fields(payload, 0, _POWER_RANGE_FIELDS)
    result = SupportedPowerRange(**values)
    _check_range(POWER_RANGE, result.minimum_w, result.maximum_w, result.increment_w)
    return result


def encode_supported_power_range(power_range: SupportedPowerRange) -> bytes:
    return write_fields(vars(power_range), _POWER_RANGE_FIELDS, POWER_RANGE)


@dataclass(frozen=True)
class SupportedResistanceLevelRange:
    minimum: float
    maximum: float
    increment: float

    def as_values(self) -> dict[str, GattValue]:
        return {
            "min_resistance": self.minimum,
            "max_resistance": self.maximum,
            "resistance_increment": self.increment,
        }


_RESISTANCE_RANGE_FIELDS = (
    Field("minimum", "s16", 10),
    Field("maximum", "s16", 10),
    Field("increment", "u16", 10),
)


def decode_supported_resistance_level_range(payload: bytes) -> SupportedResistanceLevelRange:
    require_length(RESISTANCE_RANGE, "the range", 6, payload)
    values, _ = read_fields(payload, 0, _RESISTANCE_RANGE_FIELDS)
    result = SupportedResistanceLevelRange(**values)
    _check_range(RESISTANCE_RANGE, result.minimum, result.maximum, result.increment)
    return result


def encode_supported_resistance_level_range(level_range: SupportedResistanceLevelRange) -> bytes:
    return write_fields(vars(level_range), _RESISTANCE_RANGE_FIELDS, RESISTANCE_RANGE)


def _check_range(characteristic: str, low: float, high: float, step: float) -> None:
    if low > high or step <= 0:
        raise GattDecodeError(
            characteristic, f"minimum {low}, maximum {high}, increment {step} is not a range"
        )


MACHINE_FEATURES: tuple[str, ...] = (
    "average_speed",
    "cadence",
    "total_distance",
    "inclination",
    "elevation_gain",
    "pace",
    "step_count",
    "resistance_level",
    "stride_count",
    "expended_energy",
    "heart_rate_measurement",
    "metabolic_equivalent",
    "elapsed_time",
    "remaining_time",
    "power_measurement",
    "force_on_belt_and_power_output",
    "user_data_retention",
)
TARGET_SETTING_FEATURES: tuple[str, ...] = (
    "speed_target",
    "inclination_target",
    "resistance_target",
    "power_target",
    "heart_rate_target",
    "targeted_expended_energy",
    "targeted_step_number",
    "targeted_stride_number",
    "targeted_distance",
    "targeted_training_time",
    "targeted_time_in_two_hr_zones",
    "targeted_time_in_three_hr_zones",
    "targeted_time_in_five_hr_zones",
    "indoor_bike_simulation",
    "wheel_circumference",
    "spin_down_control",
    "targeted_cadence",
)


@dataclass(frozen=True)
class FitnessMachineFeature:
    """Named features (bit i of each bitfield is the i-th name); reserved bits are ignored."""

    machine_features: frozenset[str]
    target_setting_features: frozenset[str]

    def as_values(self) -> dict[str, GattValue]:
        return {
            "machine_feature_bits": _bits(self.machine_features, MACHINE_FEATURES),
            "target_setting_bits": _bits(self.target_setting_features, TARGET_SETTING_FEATURES),
        }


def decode_fitness_machine_feature(payload: bytes) -> FitnessMachineFeature:
    require_length(FEATURE, "two 32-bit bitfields", 8, payload)
    machine = int.from_bytes(payload[:4], "little")
    target = int.from_bytes(payload[4:], "little")
    return FitnessMachineFeature(
        _names(machine, MACHINE_FEATURES), _names(target, TARGET_SETTING_FEATURES)
    )


def encode_fitness_machine_feature(feature: FitnessMachineFeature) -> bytes:
    machine = _bits(feature.machine_features, MACHINE_FEATURES)
    target = _bits(feature.target_setting_features, TARGET_SETTING_FEATURES)
    return machine.to_bytes(4, "little") + target.to_bytes(4, "little")


def _names(bits: int, names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(name for index, name in enumerate(names) if bits & (1 << index))


def _bits(features: Iterable[str], names: tuple[str, ...]) -> int:
    unknown = set(features) - set(names)
    if unknown:
        raise GattEncodeError(FEATURE, f"unknown features {sorted(unknown)}")
    return sum(1 << names.index(name) for name in set(features))
