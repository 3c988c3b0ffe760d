"""The virtual trainer's physics: ERG convergence, simulation mode, determinism."""

from __future__ import annotations

import statistics

import pytest

from bridge.simulator import RiderAndBike, SimulatorError, TrainerMode, TrainerPhysics

GRAVITY = 9.81


def run(trainer: TrainerPhysics, seconds: float, dt: float = 0.25) -> list[float]:
    """Step the trainer and return the measured power of each step."""
    return [trainer.step(dt).power_w for _ in range(round(seconds / dt))]


def test_erg_power_is_within_5_w_of_a_250_w_target_from_5_s_on() -> None:
    trainer = TrainerPhysics(seed=1)
    trainer.set_target_power(250)

    run(trainer, 5.0)
    after = run(trainer, 60.0)

    assert max(abs(power - 250) for power in after) <= 5


def test_erg_power_converges_within_a_few_seconds_when_the_target_drops() -> None:
    trainer = TrainerPhysics(seed=2)
    trainer.set_target_power(300)
    run(trainer, 20.0)
    trainer.set_target_power(150)

    first_second = run(trainer, 1.0)
    after_five = run(trainer, 4.0)[-1]

    assert first_second[0] > 200  # a real trainer does not jump: about 1-3 s to settle
    assert after_five == pytest.approx(150, abs=5)


def test_erg_cadence_stays_realistic_and_varies() -> None:
    trainer = TrainerPhysics(seed=3)
    trainer.set_target_power(200)

    cadences = [trainer.step(1.0).cadence_rpm for _ in range(600)]

    assert min(cadences) >= 85 and max(cadences) <= 95
    assert statistics.pstdev(cadences) > 0.5


def _steady_flat_speed_kmh(power_w: float, rider: RiderAndBike) -> float:
    """Solve P = v (m g crr + 0.5 rho CdA v^2) by bisection."""
    cw = 0.5 * rider.air_density_kg_m3 * rider.cda_m2
    low, high = 0.0, 40.0
    for _ in range(100):
        v = (low + high) / 2
        if v * (rider.mass_kg * GRAVITY * rider.crr + cw * v * v) < power_w:
            low = v
        else:
            high = v
    return low * 3.6


def test_simulation_speed_settles_at_the_steady_state_of_the_road_equation() -> None:
    rider = RiderAndBike(power_noise_w=0.0)
    trainer = TrainerPhysics(rider, seed=4)
    trainer.set_rider_effort(200)
    trainer.set_simulation(grade_pct=0.0)

    for _ in range(600):
        state = trainer.step(1.0)

    assert state.speed_kmh == pytest.approx(_steady_flat_speed_kmh(200, rider), rel=0.01)


def _speed_after(grade_pct: float, wind_mps: float = 0.0) -> float:
    trainer = TrainerPhysics(seed=5)
    trainer.set_rider_effort(220)
    trainer.set_simulation(grade_pct=grade_pct, wind_speed_mps=wind_mps)
    for _ in range(300):
        state = trainer.step(1.0)
    return state.speed_kmh


def test_simulation_steeper_grade_gives_lower_speed_at_the_same_effort() -> None:
    assert _speed_after(8.0) < _speed_after(4.0) < _speed_after(0.0)


def test_simulation_headwind_gives_lower_speed_at_the_same_effort() -> None:
    assert _speed_after(0.0, wind_mps=5.0) < _speed_after(0.0)


def test_simulation_rider_coasting_downhill_speeds_up() -> None:
    trainer = TrainerPhysics(seed=6)
    trainer.set_simulation(grade_pct=-6.0)
    trainer.pause()

    speeds = [trainer.step(1.0).speed_kmh for _ in range(20)]

    assert speeds[-1] > speeds[0] > 0


def test_resistance_mode_higher_level_takes_more_power_at_the_same_cadence() -> None:
    def power_at(level: float) -> float:
        trainer = TrainerPhysics(seed=7)
        trainer.set_resistance(level)
        return statistics.mean(run(trainer, 60.0)[40:])

    assert power_at(15) > power_at(5) > 0


def test_same_seed_gives_the_same_ride() -> None:
    def ride(seed: int) -> list[object]:
        trainer = TrainerPhysics(seed=seed)
        trainer.set_target_power(230)
        return [trainer.step(0.5) for _ in range(100)]

    assert ride(11) == ride(11)
    assert ride(11) != ride(12)


def test_stop_zeroes_power_and_cadence_and_a_new_start_begins_a_new_session() -> None:
    trainer = TrainerPhysics(seed=8)
    trainer.set_target_power(200)
    run(trainer, 30.0)

    trainer.stop()
    stopped = trainer.step(1.0)
    trainer.start()
    restarted = trainer.step(1.0)

    assert (stopped.power_w, stopped.cadence_rpm, stopped.running) == (0.0, 0.0, False)
    assert restarted.elapsed_s == pytest.approx(1.0)
    assert restarted.distance_m < 20


def test_pause_keeps_elapsed_time_and_distance_for_the_resume() -> None:
    trainer = TrainerPhysics(seed=9)
    trainer.set_target_power(200)
    run(trainer, 30.0)
    before = trainer.state

    trainer.pause()
    paused = trainer.step(5.0)
    trainer.start()
    resumed = trainer.step(1.0)

    assert paused.elapsed_s == pytest.approx(before.elapsed_s)
    assert resumed.elapsed_s == pytest.approx(before.elapsed_s + 1.0)
    assert resumed.distance_m > before.distance_m


def test_reset_returns_to_a_free_ride_on_a_flat_road() -> None:
    trainer = TrainerPhysics(seed=10)
    trainer.set_target_power(300)
    trainer.reset()

    state = trainer.state
    assert (state.mode, state.target_power_w, state.simulation.grade_pct) == (
        TrainerMode.SIMULATION,
        0.0,
        0.0,
    )


@pytest.mark.parametrize("dt", [0.0, -1.0, float("nan")])
def test_step_raises_when_dt_is_not_a_positive_duration(dt: float) -> None:
    with pytest.raises(SimulatorError):
        TrainerPhysics().step(dt)


def test_set_target_power_raises_when_the_target_is_negative() -> None:
    with pytest.raises(SimulatorError):
        TrainerPhysics().set_target_power(-1)
