"""A virtual smart trainer: pure, time-stepped physics (the caller passes dt; no clock, no I/O).

Speed comes from a longitudinal road model, integrated in substeps of at most 50 ms:

    m dv/dt = P / max(v, 1 m/s) - m g (crr cos a + sin a) - cw (v + wind) |v + wind|

with cw = 0.5 * air density * CdA (kg/m) unless the simulation parameters set it.
Modes:
- ERG: the trainer's brake drives measured power to the target with a first-order lag
  (time constant 0.8 s: 95 % within about 2.5 s); speed is the flat-road speed for that power.
- SIMULATION: the rider model holds its effort (set_rider_effort, default 200 W) whatever the
  grade; the trainer applies grade, wind, crr and cw; speed follows from the physics.
- RESISTANCE: the rider spins a fixed virtual gear (50x17, 2105 mm wheel) at their cadence;
  the brake force grows with the level, power = brake force x wheel speed.
Cadence wanders around the rider's preferred cadence (mean-reverting noise, clipped to
preferred +-5 rpm) from a seeded random.Random: same seed, same commands, same output.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from enum import Enum

from bridge.simulator.errors import SimulatorError

GRAVITY = 9.81
MAX_SUBSTEP_S = 0.05
ERG_TIME_CONSTANT_S = 0.8
RIDER_TIME_CONSTANT_S = 1.0
GEAR_RATIO = 50 / 17
WHEEL_CIRCUMFERENCE_M = 2.105
BRAKE_BASE_FORCE_N = 5.0
BRAKE_NEWTONS_PER_LEVEL = 2.5


class TrainerMode(Enum):
    ERG = "erg"
    SIMULATION = "simulation"
    RESISTANCE = "resistance"


@dataclass(frozen=True)
class RiderAndBike:
    rider_mass_kg: float = 75.0
    bike_mass_kg: float = 9.0
    crr: float = 0.004
    cda_m2: float = 0.32
    air_density_kg_m3: float = 1.225
    preferred_cadence_rpm: float = 90.0
    power_noise_w: float = 1.0  # standard deviation of the measured power, capped at 3x

    @property
    def mass_kg(self) -> float:
        return self.rider_mass_kg + self.bike_mass_kg


@dataclass(frozen=True)
class Simulation:
    """Indoor bike simulation parameters, as the control point sets them."""

    grade_pct: float = 0.0
    wind_speed_mps: float = 0.0  # positive: headwind
    crr: float | None = None  # None: the rider's own
    cw_kg_per_m: float | None = None  # None: 0.5 * air density * CdA


@dataclass(frozen=True)
class TrainerState:
    clock_s: float  # trainer time since creation (drives crank event times)
    elapsed_s: float  # time spent running since the last start after a stop
    mode: TrainerMode
    running: bool
    power_w: float
    cadence_rpm: float
    speed_kmh: float
    distance_m: float
    resistance_level: float
    target_power_w: float
    simulation: Simulation
    crank_revolutions: int
    last_crank_event_s: float


class TrainerPhysics:
    def __init__(self, rider: RiderAndBike | None = None, *, seed: int = 0) -> None:
        self.rider = rider or RiderAndBike()
        self._random = random.Random(seed)
        self._clock_s = 0.0
        self._elapsed_s = 0.0
        self._mode = TrainerMode.SIMULATION
        self._running = True
        self._stopped = False
        self._brake_power_w = 0.0  # noiseless power
        self._power_w = 0.0
        self._cadence_rpm = self.rider.preferred_cadence_rpm
        self._speed_mps = 0.0
        self._distance_m = 0.0
        self._resistance_level = 0.0
        self._target_power_w = 0.0
        self._rider_effort_w = 200.0
        self._simulation = Simulation()
        self._crank_turns = 0.0
        self._last_crank_event_s = 0.0

    # Commands -----------------------------------------------------------------------------
    def set_target_power(self, watts: float) -> None:
        self._target_power_w = _non_negative("target power", watts)
        self._mode = TrainerMode.ERG

    def set_simulation(
        self,
        grade_pct: float,
        wind_speed_mps: float = 0.0,
        crr: float | None = None,
        cw_kg_per_m: float | None = None,
    ) -> None:
        _finite("grade", grade_pct)
        _finite("wind speed", wind_speed_mps)
        if crr is not None:
            _non_negative("crr", crr)
        if cw_kg_per_m is not None:
            _non_negative("cw", cw_kg_per_m)
        self._simulation = Simulation(grade_pct, wind_speed_mps, crr, cw_kg_per_m)
        self._mode = TrainerMode.SIMULATION

    def set_resistance(self, level: float) -> None:
        self._resistance_level = _non_negative("resistance level", level)
        self._mode = TrainerMode.RESISTANCE

    def set_rider_effort(self, watts: float) -> None:
        """What the rider model puts out in SIMULATION mode."""
        self._rider_effort_w = _non_negative("rider effort", watts)

    def reset(self) -> None:
        """Back to the default controllable settings: free ride on a flat road."""
        self._mode = TrainerMode.SIMULATION
        self._simulation = Simulation()
        self._target_power_w = 0.0
        self._resistance_level = 0.0

    def start(self) -> None:
        """Start or resume; a start after a stop (not a pause) begins a new session."""
        if self._stopped:
            self._elapsed_s = 0.0
            self._distance_m = 0.0
        self._running, self._stopped = True, False

    def stop(self) -> None:
        self._running, self._stopped = False, True

    def pause(self) -> None:
        self._running = False

    # Time ---------------------------------------------------------------------------------
    @property
    def state(self) -> TrainerState:
        return TrainerState(
            # Rounded so that twenty 50 ms substeps make exactly one second.
            clock_s=round(self._clock_s, 9),
            elapsed_s=round(self._elapsed_s, 9),
            mode=self._mode,
            running=self._running,
            power_w=self._power_w,
            cadence_rpm=self._cadence_rpm if self._running else 0.0,
            speed_kmh=self._speed_mps * 3.6,
            distance_m=self._distance_m,
            resistance_level=self._resistance_level,
            target_power_w=self._target_power_w,
            simulation=self._simulation,
            crank_revolutions=math.floor(self._crank_turns),
            last_crank_event_s=self._last_crank_event_s,
        )

    def step(self, dt: float) -> TrainerState:
        if not math.isfinite(dt) or dt <= 0:
            raise SimulatorError(f"dt must be a positive number of seconds, got {dt!r}")
        substeps = math.ceil(dt / MAX_SUBSTEP_S)
        for _ in range(substeps):
            self._substep(dt / substeps)
        noise = self._random.gauss(0.0, self.rider.power_noise_w)
        limit = 3 * self.rider.power_noise_w
        noisy = self._brake_power_w + max(-limit, min(limit, noise))
        self._power_w = max(0.0, noisy) if self._running else 0.0
        return self.state

    def _substep(self, h: float) -> None:
        self._clock_s += h
        if self._running:
            self._elapsed_s += h
            self._update_cadence(h)
        self._update_power(h)
        if self._mode is TrainerMode.RESISTANCE:
            self._speed_mps = self._flywheel_speed() if self._running else 0.0
        else:
            self._integrate_speed(h)
        self._distance_m += self._speed_mps * h
        if self._running:
            self._turn_crank(h)

    def _update_cadence(self, h: float) -> None:
        preferred = self.rider.preferred_cadence_rpm
        drift = 0.5 * (preferred - self._cadence_rpm) * h
        jitter = 1.5 * math.sqrt(h) * self._random.gauss(0.0, 1.0)
        self._cadence_rpm = min(
            preferred + 5, max(preferred - 5, self._cadence_rpm + drift + jitter)
        )

    def _update_power(self, h: float) -> None:
        if not self._running:
            goal, tau = 0.0, RIDER_TIME_CONSTANT_S
        elif self._mode is TrainerMode.ERG:
            goal, tau = self._target_power_w, ERG_TIME_CONSTANT_S
        elif self._mode is TrainerMode.SIMULATION:
            goal, tau = self._rider_effort_w, RIDER_TIME_CONSTANT_S
        else:
            force = BRAKE_BASE_FORCE_N + BRAKE_NEWTONS_PER_LEVEL * self._resistance_level
            goal, tau = force * self._flywheel_speed(), RIDER_TIME_CONSTANT_S
        self._brake_power_w += (goal - self._brake_power_w) * (1 - math.exp(-h / tau))

    def _flywheel_speed(self) -> float:
        return self._cadence_rpm / 60 * GEAR_RATIO * WHEEL_CIRCUMFERENCE_M

    def _integrate_speed(self, h: float) -> None:
        rider, sim = self.rider, self._simulation
        on_road = self._mode is TrainerMode.SIMULATION
        grade = sim.grade_pct / 100 if on_road else 0.0
        wind = sim.wind_speed_mps if on_road else 0.0
        crr = sim.crr if on_road and sim.crr is not None else rider.crr
        cw = 0.5 * rider.air_density_kg_m3 * rider.cda_m2
        if on_road and sim.cw_kg_per_m is not None:
            cw = sim.cw_kg_per_m
        angle = math.atan(grade)
        v = self._speed_mps
        air = v + wind
        propulsion = self._brake_power_w / max(v, 1.0)
        gravity = rider.mass_kg * GRAVITY * math.sin(angle)
        rolling = rider.mass_kg * GRAVITY * crr * math.cos(angle) if v > 0 else 0.0
        resisting = gravity + rolling + cw * air * abs(air)
        if v == 0 and propulsion <= resisting:
            return  # rolling resistance holds a bike at rest; it does not push it backwards
        self._speed_mps = max(0.0, v + (propulsion - resisting) / rider.mass_kg * h)

    def _turn_crank(self, h: float) -> None:
        turns_per_s = self._cadence_rpm / 60
        before = self._crank_turns
        self._crank_turns += turns_per_s * h
        if turns_per_s > 0 and math.floor(self._crank_turns) > math.floor(before):
            # Event time of the last whole revolution inside this substep.
            whole = math.floor(self._crank_turns)
            self._last_crank_event_s = self._clock_s - (self._crank_turns - whole) / turns_per_s


def _finite(name: str, value: float) -> float:
    if isinstance(value, bool) or not math.isfinite(value):
        raise SimulatorError(f"{name} must be a finite number, got {value!r}")
    return value


def _non_negative(name: str, value: float) -> float:
    if _finite(name, value) < 0:
        raise SimulatorError(f"{name} must not be negative, got {value!r}")
    return value
