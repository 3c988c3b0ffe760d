"""The virtual trainer end to end through bridge.gatt: notifications and the control point."""

from __future__ import annotations

import itertools
import statistics

import pytest

from bridge.gatt import (
    ControlOp,
    ResultCode,
    cadence_from_crank,
    decode_control_point_response,
    decode_cycling_power_measurement,
    decode_fitness_machine_feature,
    decode_fitness_machine_status,
    decode_indoor_bike_data,
    decode_supported_power_range,
    encode_request_control,
    encode_reset,
    encode_set_indoor_bike_simulation,
    encode_set_target_power,
    encode_set_target_resistance,
    encode_start_or_resume,
    encode_stop_or_pause,
    uuids,
)
from bridge.simulator import ControlPointWriteRejected, TrainerMode, VirtualTrainer


def result(trainer: VirtualTrainer, payload: bytes) -> tuple[int, int]:
    response = decode_control_point_response(trainer.handle_control_point(payload))
    return response.request_op_code, response.result_code


def controlled_trainer(*, with_cycling_power: bool = False) -> VirtualTrainer:
    trainer = VirtualTrainer(seed=1, with_cycling_power=with_cycling_power)
    assert result(trainer, encode_request_control()) == (ControlOp.REQUEST_CONTROL, 1)
    return trainer


def test_target_power_is_refused_with_result_5_before_control_is_requested() -> None:
    trainer = VirtualTrainer(seed=1)

    assert result(trainer, encode_set_target_power(250)) == (
        ControlOp.SET_TARGET_POWER,
        ResultCode.CONTROL_NOT_PERMITTED,
    )
    assert trainer.physics.state.mode is not TrainerMode.ERG


def test_erg_power_read_from_indoor_bike_data_reaches_the_target_within_5_s() -> None:
    trainer = controlled_trainer()
    assert result(trainer, encode_set_target_power(250)) == (ControlOp.SET_TARGET_POWER, 1)

    powers = []
    for _ in range(30):
        for uuid, payload in trainer.notifications(1.0):
            if uuid == uuids.INDOOR_BIKE_DATA:
                powers.append(decode_indoor_bike_data(payload).power_w)

    assert all(power is not None and abs(power - 250) <= 5 for power in powers[5:])


def test_target_power_is_clamped_to_the_supported_range_and_announced_in_a_status() -> None:
    trainer = controlled_trainer()

    assert result(trainer, encode_set_target_power(2500)) == (ControlOp.SET_TARGET_POWER, 1)
    statuses = [
        decode_fitness_machine_status(payload)
        for uuid, payload in trainer.notifications(1.0)
        if uuid == uuids.FITNESS_MACHINE_STATUS
    ]

    assert trainer.physics.state.target_power_w == 2000
    assert [(s.event, dict(s.parameters)) for s in statuses] == [
        ("target_power_changed", {"target_power_w": 2000})
    ]


def test_indoor_bike_data_decodes_to_the_trainer_state() -> None:
    trainer = controlled_trainer()
    result(trainer, encode_set_target_resistance(8.0))

    for _ in range(20):
        notifications = dict(trainer.notifications(1.0))
    decoded = decode_indoor_bike_data(notifications[uuids.INDOOR_BIKE_DATA])
    state = trainer.physics.state

    assert decoded.speed_kmh == pytest.approx(state.speed_kmh, abs=0.005)
    assert decoded.cadence_rpm == pytest.approx(state.cadence_rpm, abs=0.25)
    assert decoded.power_w == pytest.approx(state.power_w, abs=0.5)
    assert decoded.total_distance_m == pytest.approx(state.distance_m, abs=1)
    assert decoded.elapsed_s == pytest.approx(state.elapsed_s, abs=1)
    assert decoded.resistance == 8


def test_cycling_power_crank_data_gives_the_trainer_cadence() -> None:
    trainer = controlled_trainer(with_cycling_power=True)
    result(trainer, encode_set_target_power(200))

    frames, cadences = [], []
    for _ in range(120):
        notifications = dict(trainer.notifications(1.0))
        frames.append(
            decode_cycling_power_measurement(notifications[uuids.CYCLING_POWER_MEASUREMENT])
        )
        cadences.append(trainer.physics.state.cadence_rpm)
    from_crank = [cadence_from_crank(a, b) for a, b in itertools.pairwise(frames)]

    assert all(c is not None and 84 <= c <= 96 for c in from_crank)
    assert statistics.mean(c for c in from_crank if c is not None) == pytest.approx(
        statistics.mean(cadences), abs=1.0
    )


def test_simulation_parameters_from_the_control_point_reach_the_physics() -> None:
    trainer = controlled_trainer()

    outcome = result(
        trainer, encode_set_indoor_bike_simulation(grade_pct=7.5, wind_speed_mps=2.0, crr=0.005)
    )
    simulation = trainer.physics.state.simulation

    assert outcome == (ControlOp.SET_INDOOR_BIKE_SIMULATION, 1)
    assert (simulation.grade_pct, simulation.wind_speed_mps, simulation.crr) == (7.5, 2.0, 0.005)
    assert trainer.physics.state.mode is TrainerMode.SIMULATION


def test_stop_and_start_through_the_control_point_stop_and_restart_pedalling() -> None:
    trainer = controlled_trainer()

    assert result(trainer, encode_stop_or_pause()) == (ControlOp.STOP_OR_PAUSE, 1)
    stopped = decode_indoor_bike_data(dict(trainer.notifications(1.0))[uuids.INDOOR_BIKE_DATA])
    assert result(trainer, encode_start_or_resume()) == (ControlOp.START_OR_RESUME, 1)
    restarted = decode_indoor_bike_data(dict(trainer.notifications(1.0))[uuids.INDOOR_BIKE_DATA])

    assert (stopped.power_w, stopped.cadence_rpm) == (0, 0.0)
    assert restarted.cadence_rpm is not None and restarted.cadence_rpm > 80


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (bytes.fromhex("02e803"), (0x02, ResultCode.NOT_SUPPORTED)),  # set target speed
        (bytes.fromhex("05fa"), (0x05, ResultCode.INVALID_PARAMETER)),  # power cut short
        (bytes.fromhex("0803"), (0x08, ResultCode.INVALID_PARAMETER)),  # neither stop nor pause
        (bytes.fromhex("7f"), (0x7F, ResultCode.NOT_SUPPORTED)),
    ],
)
def test_control_point_answers_with_the_ftms_result_code(
    payload: bytes, expected: tuple[int, int]
) -> None:
    assert result(controlled_trainer(), payload) == expected


def test_reset_releases_control_so_the_client_must_request_it_again() -> None:
    trainer = controlled_trainer()

    assert result(trainer, encode_reset()) == (ControlOp.RESET, 1)
    assert result(trainer, encode_set_target_power(200))[1] == ResultCode.CONTROL_NOT_PERMITTED


def test_an_empty_control_point_write_is_rejected_without_an_indication() -> None:
    with pytest.raises(ControlPointWriteRejected) as error:
        VirtualTrainer().handle_control_point(b"")

    assert error.value.att_error == 0x0D


def test_readable_characteristics_describe_an_erg_and_simulation_trainer() -> None:
    trainer = VirtualTrainer()

    feature = decode_fitness_machine_feature(trainer.read("fitness_machine_feature"))
    power_range = decode_supported_power_range(trainer.read("2ad8"))

    assert {"power_target", "indoor_bike_simulation"} <= feature.target_setting_features
    assert "power_measurement" in feature.machine_features
    assert (power_range.minimum_w, power_range.maximum_w, power_range.increment_w) == (0, 2000, 1)
