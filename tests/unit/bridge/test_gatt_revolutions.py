"""Cadence and speed from revolution counters: wrap-around and the stop rules."""

from __future__ import annotations

import pytest

from bridge.gatt import (
    CrankCadenceTracker,
    CscMeasurement,
    CscRateTracker,
    CyclingPowerMeasurement,
    cadence_from_crank,
    speed_from_wheel,
)


def crank(revolutions: int, event_1024: int) -> CscMeasurement:
    return CscMeasurement(crank_revolutions=revolutions, last_crank_event_1024=event_1024)


def wheel(revolutions: int, event_1024: int) -> CscMeasurement:
    return CscMeasurement(wheel_revolutions=revolutions, last_wheel_event_1024=event_1024)


def test_cadence_is_right_when_both_16_bit_counters_wrap_between_frames() -> None:
    # two revolutions in one second, across the wrap of the count and of the event time
    before = crank(65535, 65000)
    after = crank(1, (65000 + 1024) % 65536)

    assert cadence_from_crank(before, after) == pytest.approx(120.0)


def test_cadence_is_unknown_when_no_new_revolution_arrived() -> None:
    assert cadence_from_crank(crank(10, 5000), crank(10, 5000)) is None


def test_cadence_is_zero_when_a_revolution_took_longer_than_three_seconds() -> None:
    assert cadence_from_crank(crank(10, 0), crank(11, 4 * 1024)) == 0.0


def test_cadence_counts_several_revolutions_in_a_long_gap_between_frames() -> None:
    assert cadence_from_crank(crank(10, 0), crank(16, 4 * 1024)) == pytest.approx(90.0)


def test_cadence_is_unknown_when_a_frame_has_no_crank_data() -> None:
    assert cadence_from_crank(wheel(1, 0), crank(2, 1024)) is None


def test_cadence_works_on_cycling_power_frames() -> None:
    before = CyclingPowerMeasurement(power_w=200, crank_revolutions=7, last_crank_event_1024=100)
    after = CyclingPowerMeasurement(power_w=210, crank_revolutions=8, last_crank_event_1024=782)

    assert cadence_from_crank(before, after) == pytest.approx(60 * 1024 / 682)


def test_csc_wheel_speed_is_right_when_the_32_bit_count_wraps() -> None:
    speed = speed_from_wheel(wheel(2**32 - 1, 0), wheel(1, 1024), wheel_circumference_mm=2000)

    assert speed == pytest.approx(2 * 2.0 * 3.6)


def test_cycling_power_wheel_speed_uses_the_1_2048_second_time_base() -> None:
    before = CyclingPowerMeasurement(power_w=0, wheel_revolutions=100, last_wheel_event_2048=0)
    after = CyclingPowerMeasurement(power_w=0, wheel_revolutions=102, last_wheel_event_2048=2048)

    assert speed_from_wheel(before, after) == pytest.approx(2 * 2.105 * 3.6)


def test_cadence_tracker_holds_the_last_cadence_until_the_crank_has_stopped_3_s() -> None:
    tracker = CrankCadenceTracker()
    # 60 rpm: one revolution per second, notifications every second
    readings = [tracker.update(crank(n, n * 1024), float(n)) for n in range(4)]
    # then the crank stops: the frames repeat the last revolution
    stopped = [tracker.update(crank(3, 3 * 1024), 3.0 + dt) for dt in (1.0, 2.0, 3.0, 3.5)]

    assert readings[0] is None
    assert readings[1:] == pytest.approx([60.0, 60.0, 60.0])
    assert stopped == pytest.approx([60.0, 60.0, 60.0, 0.0])


def test_cadence_tracker_treats_a_revolution_after_a_long_pause_as_a_restart() -> None:
    tracker = CrankCadenceTracker()
    tracker.update(crank(1, 0), 0.0)
    tracker.update(crank(2, 1024), 1.0)
    # 70 s later (more than one 64 s event-time wrap) the rider pedals again
    restart = tracker.update(crank(3, (1024 + 70 * 1024) % 65536), 71.0)
    pedalling = tracker.update(crank(4, (1024 + 70 * 1024 + 683) % 65536), 71.7)

    assert restart == 0.0
    assert pedalling == pytest.approx(60 * 1024 / 683)


def test_csc_tracker_reports_speed_and_cadence_and_zero_after_both_stop() -> None:
    tracker = CscRateTracker(wheel_circumference_mm=2000)
    tracker.update(CscMeasurement(0, 0, 0, 0), 0.0)
    moving = tracker.update(CscMeasurement(4, 1024, 1, 1024), 1.0)
    tracker.update(CscMeasurement(4, 1024, 1, 1024), 3.0)
    stopped = tracker.update(CscMeasurement(4, 1024, 1, 1024), 4.5)

    assert moving.speed_kmh == pytest.approx(4 * 2.0 * 3.6)
    assert moving.cadence_rpm == pytest.approx(60.0)
    assert (stopped.speed_kmh, stopped.cadence_rpm) == (0.0, 0.0)
