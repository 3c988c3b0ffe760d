"""The virtual heart-rate strap: lagging heart rate, RR intervals, real payloads."""

from __future__ import annotations

import math
import statistics

import pytest

from bridge.gatt import decode_heart_rate_measurement
from bridge.simulator import HeartRateProfile, VirtualHeartRateStrap


def test_heart_rate_follows_a_power_step_with_a_30_s_time_constant() -> None:
    profile = HeartRateProfile()
    strap = VirtualHeartRateStrap(profile, seed=1)
    target = profile.steady_state_bpm(250)

    for _ in range(30):
        strap.step(1.0, 250)
    after_one_time_constant = strap.heart_rate_bpm
    for _ in range(270):
        strap.step(1.0, 250)

    expected = target - (target - profile.resting_bpm) * math.exp(-1)
    assert after_one_time_constant == pytest.approx(expected, abs=1.0)
    assert strap.heart_rate_bpm == pytest.approx(target, abs=1.0)


def test_heart_rate_rises_with_power_up_to_the_maximum() -> None:
    profile = HeartRateProfile()

    assert (
        profile.resting_bpm
        == profile.steady_state_bpm(0)
        < profile.steady_state_bpm(150)
        < profile.steady_state_bpm(250)
        < profile.steady_state_bpm(350)
        == profile.steady_state_bpm(1000)
        == profile.max_bpm
    )


def _steady_notifications(power_w: float, seconds: int) -> list[bytes]:
    strap = VirtualHeartRateStrap(seed=2)
    for _ in range(600):
        strap.step(1.0, power_w)  # settle
    return [strap.notification(1.0, power_w) for _ in range(seconds)]


# At most three intervals per 1 Hz notification carry every beat up to 180 bpm (250 W here).
@pytest.mark.parametrize("power_w", [0, 150, 250])
def test_rr_intervals_are_consistent_with_the_heart_rate(power_w: float) -> None:
    frames = [decode_heart_rate_measurement(p) for p in _steady_notifications(power_w, 120)]
    rr = [interval for frame in frames for interval in frame.rr_1024]
    heart_rate = statistics.mean(frame.heart_rate_bpm for frame in frames)

    assert statistics.mean(rr) == pytest.approx(60 / heart_rate * 1024, rel=0.02)
    assert 0 < statistics.pstdev(rr) / statistics.mean(rr) < 0.05
    assert len(rr) == pytest.approx(heart_rate * 2, rel=0.05)  # one per beat in 120 s


def test_each_notification_carries_zero_to_three_rr_intervals_with_contact() -> None:
    frames = [decode_heart_rate_measurement(p) for p in _steady_notifications(350, 60)]

    assert all(0 <= len(frame.rr_1024) <= 3 for frame in frames)
    assert all(frame.sensor_contact for frame in frames)


def test_same_seed_gives_the_same_payloads() -> None:
    assert _steady_notifications(200, 30) == _steady_notifications(200, 30)
