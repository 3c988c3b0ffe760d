"""Which control point request each trainer command becomes, fitted to the trainer."""

from __future__ import annotations

import pytest

from bridge.control_requests import (
    InvalidCommandValue,
    SimulationParameters,
    TrainerLimits,
    UnsupportedCommand,
    control_request,
    resistance_level,
)
from bridge.gatt.control_point import ControlOp, decode_control_point_request
from bridge.gatt.fitness_machine import SupportedPowerRange, SupportedResistanceLevelRange

KICKR_LIKE = TrainerLimits(
    power=SupportedPowerRange(minimum_w=50, maximum_w=1500, increment_w=5),
    resistance=SupportedResistanceLevelRange(minimum=0.0, maximum=20.0, increment=1.0),
)


def written_power(watts: float) -> int:
    request = decode_control_point_request(control_request("target_power", watts, KICKR_LIKE))
    assert request.op_code == ControlOp.SET_TARGET_POWER
    return int(request.parameters["target_power_w"])


@pytest.mark.parametrize(
    ("asked", "sent"), [(2400, 1500), (10, 50), (252, 250), (253, 255), (300, 300)]
)
def test_target_power_is_clamped_to_the_trainers_range_and_increment(
    asked: float, sent: int
) -> None:
    assert written_power(asked) == sent


def test_slope_sends_the_grade_with_the_configured_wind_and_rolling_resistance() -> None:
    simulation = SimulationParameters(wind_speed_mps=1.5, crr=0.005, cw_kg_per_m=0.4)

    request = decode_control_point_request(control_request("slope", 4.25, KICKR_LIKE, simulation))

    assert request.op_code == ControlOp.SET_INDOOR_BIKE_SIMULATION
    assert request.parameters["grade_pct"] == 4.25
    assert request.parameters["wind_speed_mps"] == 1.5
    assert request.parameters["crr"] == 0.005
    assert request.parameters["cw_kg_per_m"] == 0.4


@pytest.mark.parametrize(("percent", "level"), [(0, 0.0), (50, 10.0), (100, 20.0), (130, 20.0)])
def test_resistance_percent_maps_onto_the_trainers_level_range(
    percent: float, level: float
) -> None:
    request = decode_control_point_request(control_request("resistance", percent, KICKR_LIKE))

    assert request.op_code == ControlOp.SET_TARGET_RESISTANCE
    assert request.parameters["target_resistance"] == level


def test_resistance_never_exceeds_what_the_request_field_can_hold() -> None:
    wide = SupportedResistanceLevelRange(minimum=0.0, maximum=100.0, increment=0.1)

    assert resistance_level(100, wide) == 25.5


@pytest.mark.parametrize(
    ("kind", "op", "parameter"),
    [
        ("start", ControlOp.START_OR_RESUME, None),
        ("stop", ControlOp.STOP_OR_PAUSE, 1),
        ("pause", ControlOp.STOP_OR_PAUSE, 2),
    ],
)
def test_start_stop_and_pause_become_their_control_point_ops(
    kind: str, op: int, parameter: int | None
) -> None:
    request = decode_control_point_request(control_request(kind, None, KICKR_LIKE))

    assert request.op_code == op
    assert request.parameters.get("stop_or_pause") == parameter


def test_an_unknown_command_kind_is_refused_as_unsupported() -> None:
    with pytest.raises(UnsupportedCommand, match="spin_down"):
        control_request("spin_down", None, KICKR_LIKE)


@pytest.mark.parametrize("value", [None, float("nan"), float("inf")])
def test_a_target_without_a_finite_value_is_refused_as_invalid(value: float | None) -> None:
    with pytest.raises(InvalidCommandValue):
        control_request("target_power", value, KICKR_LIKE)
