"""A simulated rider: the virtual trainer and heart-rate strap of bridge/simulator, riding a
simple ERG profile, turned into bridge-protocol samples (real GATT payloads, decoded with
the same decoders the desktop bridge uses)."""

from __future__ import annotations

from collections.abc import Iterator

from bridge.gatt import uuids
from bridge.gatt.registry import decode_characteristic
from bridge.simulator.hr import VirtualHeartRateStrap
from bridge.simulator.virtual_devices import VirtualTrainer
from wire.envelope import Sample

# (seconds from the start, ERG target in watts): warm up, three 2-minute efforts, easy.
DEFAULT_PROFILE: tuple[tuple[float, float], ...] = (
    (0, 140),
    (120, 180),
    (240, 260),
    (360, 160),
    (420, 270),
    (540, 160),
    (600, 280),
    (720, 150),
)


class SimulatedRider:
    """Emits one notification per tick: trainer data on most ticks, the strap once a second."""

    def __init__(
        self,
        *,
        t0: float,
        rate_hz: float = 4.0,
        seed: int = 0,
        profile: tuple[tuple[float, float], ...] = DEFAULT_PROFILE,
    ) -> None:
        self.trainer = VirtualTrainer(seed=seed)
        self.strap = VirtualHeartRateStrap(seed=seed)
        self.trainer.physics.set_target_power(profile[0][1])
        self._t0 = t0
        self._dt = 1.0 / rate_hz
        self._profile = profile
        self._seq = 0
        self._since_hr = 0.0

    @property
    def next_seq(self) -> int:
        return self._seq

    def follow_target(self, watts: float) -> None:
        """An ERG target from a trainer command replaces the built-in profile from now on."""
        self._profile = ((0, watts),)
        self.trainer.physics.set_target_power(watts)

    def ticks(self, count: int) -> Iterator[Sample]:
        for _ in range(count):
            yield self._tick()

    def _tick(self) -> Sample:
        dt = self._dt
        elapsed = self._seq * dt
        self._apply_profile(elapsed)
        self._since_hr += dt
        trainer_data = dict(self.trainer.notifications(dt))
        if self._since_hr >= 1.0:
            self._since_hr -= 1.0
            sensor, characteristic = "hr-strap", uuids.HEART_RATE_MEASUREMENT
            payload = self.strap.notification(1.0, self.trainer.physics.state.power_w)
        else:
            sensor, characteristic = "trainer", uuids.INDOOR_BIKE_DATA
            payload = trainer_data[uuids.INDOOR_BIKE_DATA]
        sample = Sample(
            seq=self._seq,
            device_time=self._t0 + elapsed,
            sensor_id=sensor,
            characteristic=uuids.short_uuid(characteristic),
            raw=payload,
            values=decode_characteristic(characteristic, payload),
        )
        self._seq += 1
        return sample

    def _apply_profile(self, elapsed: float) -> None:
        target = self._profile[0][1]
        for start, watts in self._profile:
            if elapsed >= start:
                target = watts
        if target != self.trainer.physics.state.target_power_w:
            self.trainer.physics.set_target_power(target)
