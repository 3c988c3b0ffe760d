"""A virtual heart-rate strap whose heart rate follows power with a first-order lag.

Steady-state heart rate rises linearly from resting (0 W) to threshold heart rate (at
threshold power), capped at the maximum; the heart rate approaches it with a 30 s time
constant. Beats are generated one by one: each RR interval is 60 / HR seconds times
(1 + noise), noise ~ N(0, rr_variability) clipped to 3 sigma, from a seeded random.Random.
A notification carries the intervals completed since the previous one, at most three; a
backlog beyond six drops the oldest, as a real strap would. So at one notification per
second every beat is reported up to 180 bpm; above that, notify more often.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass

from bridge.gatt.heart_rate import HeartRateMeasurement, encode_heart_rate_measurement
from bridge.gatt.uuids import HEART_RATE_MEASUREMENT
from bridge.simulator.errors import SimulatorError

MAX_RR_PER_NOTIFICATION = 3
_MAX_BACKLOG = 6
_MAX_SUBSTEP_S = 0.05


@dataclass(frozen=True)
class HeartRateProfile:
    resting_bpm: float = 60.0
    threshold_bpm: float = 170.0
    max_bpm: float = 190.0
    threshold_power_w: float = 250.0
    time_constant_s: float = 30.0
    rr_variability: float = 0.02  # relative standard deviation of the RR intervals

    def steady_state_bpm(self, power_w: float) -> float:
        rise = (self.threshold_bpm - self.resting_bpm) * max(power_w, 0.0)
        return min(self.max_bpm, self.resting_bpm + rise / self.threshold_power_w)


class VirtualHeartRateStrap:
    def __init__(self, profile: HeartRateProfile | None = None, *, seed: int = 0) -> None:
        self.profile = profile or HeartRateProfile()
        self._random = random.Random(seed)
        self._bpm = self.profile.resting_bpm
        self._since_beat_s = 0.0
        self._next_beat_s = self._draw_interval()
        self._pending: deque[int] = deque(maxlen=_MAX_BACKLOG)

    @property
    def heart_rate_bpm(self) -> float:
        return self._bpm

    def step(self, dt: float, power_w: float) -> None:
        if not math.isfinite(dt) or dt <= 0:
            raise SimulatorError(f"dt must be a positive number of seconds, got {dt!r}")
        if not math.isfinite(power_w):
            raise SimulatorError(f"power must be a finite number, got {power_w!r}")
        target = self.profile.steady_state_bpm(power_w)
        substeps = math.ceil(dt / _MAX_SUBSTEP_S)
        h = dt / substeps
        for _ in range(substeps):
            self._bpm += (target - self._bpm) * (1 - math.exp(-h / self.profile.time_constant_s))
            self._since_beat_s += h
            while self._since_beat_s >= self._next_beat_s:
                self._since_beat_s -= self._next_beat_s
                self._pending.append(round(self._next_beat_s * 1024))
                self._next_beat_s = self._draw_interval()

    def notification(self, dt: float, power_w: float) -> bytes:
        """Advance dt seconds at power_w and return a Heart Rate Measurement payload."""
        self.step(dt, power_w)
        count = min(MAX_RR_PER_NOTIFICATION, len(self._pending))
        rr = tuple(self._pending.popleft() for _ in range(count))
        measurement = HeartRateMeasurement(
            heart_rate_bpm=round(self._bpm), sensor_contact=True, rr_1024=rr
        )
        return encode_heart_rate_measurement(measurement)

    def notifications(self, dt: float, power_w: float) -> list[tuple[str, bytes]]:
        return [(HEART_RATE_MEASUREMENT, self.notification(dt, power_w))]

    def _draw_interval(self) -> float:
        sigma = self.profile.rr_variability
        noise = max(-3 * sigma, min(3 * sigma, self._random.gauss(0.0, sigma)))
        return 60.0 / self._bpm * (1 + noise)
