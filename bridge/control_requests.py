"""Which Fitness Machine Control Point request a trainer command becomes (pure).

- `target_power` (W): ERG, clamped to the trainer's Supported Power Range and its increment.
- `slope` (%): indoor bike simulation with that grade and the configured wind, crr and cw.
- `resistance` (% of the trainer's range): the level that far between the minimum and
  maximum of its Supported Resistance Level Range, on its increment, and never above 25.5
  (the most the request's uint8 0.1 field holds).
- `start`, `stop`, `pause`: start or resume, stop, pause.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bridge.gatt.control_point import (
    clamp_target_power,
    encode_set_indoor_bike_simulation,
    encode_set_target_power,
    encode_set_target_resistance,
    encode_start_or_resume,
    encode_stop_or_pause,
)
from bridge.gatt.fitness_machine import SupportedPowerRange, SupportedResistanceLevelRange

# Used when a trainer does not publish its ranges (then it may not support the target at all,
# and says so with result 2): the domain's own limits.
FALLBACK_POWER_RANGE = SupportedPowerRange(minimum_w=0, maximum_w=2500, increment_w=1)
FALLBACK_RESISTANCE_RANGE = SupportedResistanceLevelRange(minimum=0.0, maximum=25.5, increment=0.1)
MAX_RESISTANCE_LEVEL = 25.5
GRADE_LIMIT_PCT = 327.67  # sint16 in 0.01 %
TARGET_KINDS = frozenset({"target_power", "slope", "resistance"})  # remembered, restored


class ControlRequestError(ValueError):
    """A command that cannot become a control point request."""


class UnsupportedCommand(ControlRequestError):
    """A command kind the bridge does not know how to send to a trainer (FTMS result 2)."""


class InvalidCommandValue(ControlRequestError):
    """A target without a usable value (FTMS result 3, invalid parameter)."""


@dataclass(frozen=True)
class TrainerLimits:
    power: SupportedPowerRange = FALLBACK_POWER_RANGE
    resistance: SupportedResistanceLevelRange = FALLBACK_RESISTANCE_RANGE


@dataclass(frozen=True)
class SimulationParameters:
    """What a slope command sends besides the grade (FTMS defaults of common apps)."""

    wind_speed_mps: float = 0.0
    crr: float = 0.004
    cw_kg_per_m: float = 0.51


def control_request(
    kind: str,
    value: float | None,
    limits: TrainerLimits,
    simulation: SimulationParameters = SimulationParameters(),
) -> bytes:
    if kind == "target_power":
        return encode_set_target_power(clamp_target_power(_number(kind, value), limits.power))
    if kind == "slope":
        grade = _number(kind, value)
        return encode_set_indoor_bike_simulation(
            grade_pct=min(max(grade, -GRADE_LIMIT_PCT), GRADE_LIMIT_PCT),
            wind_speed_mps=simulation.wind_speed_mps,
            crr=simulation.crr,
            cw_kg_per_m=simulation.cw_kg_per_m,
        )
    if kind == "resistance":
        level = resistance_level(_number(kind, value), limits.resistance)
        return encode_set_target_resistance(level)
    if kind == "start":
        return encode_start_or_resume()
    if kind == "stop":
        return encode_stop_or_pause(pause=False)
    if kind == "pause":
        return encode_stop_or_pause(pause=True)
    raise UnsupportedCommand(f"unknown trainer command {kind!r}")


def _number(kind: str, value: float | None) -> float:
    if value is None or isinstance(value, bool) or not math.isfinite(value):
        raise InvalidCommandValue(f"{kind} needs a finite number, got {value!r}")
    return float(value)


def resistance_level(percent: float, level_range: SupportedResistanceLevelRange) -> float:
    """The level `percent` of the way through the trainer's range, on its increment."""
    low = max(level_range.minimum, 0.0)
    high = min(level_range.maximum, MAX_RESISTANCE_LEVEL)
    if high < low:
        high = low
    share = min(max(percent, 0.0), 100.0) / 100.0
    step = level_range.increment if level_range.increment > 0 else 0.1
    level = low + round(share * (high - low) / step) * step
    return round(min(level, high), 1)
