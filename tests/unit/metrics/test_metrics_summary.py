"""The ride summary assembled from a resampled series."""

from __future__ import annotations

import functools
import json
import math

import pytest

from domain.metrics.power import training_stress_score
from domain.metrics.resample import Series, resample_to_1hz
from domain.metrics.summary import RideSummary, summarize_ride

SPEED_KMH = 30.0


def _steady_ride_with_pause() -> Series:
    """60 min at 200 W, a 10-minute stop with nothing recorded, then 10 more minutes."""
    points = []
    distance = 0.0
    for t in [*range(3600), *range(4200, 4800)]:
        distance += SPEED_KMH / 3.6
        values = {
            "power_w": 200.0,
            "heart_rate_bpm": 150.0,
            "cadence_rpm": 90.0,
            "speed_kmh": SPEED_KMH,
            "distance_m": distance,
        }
        points.append((float(t), values))
    return resample_to_1hz(points, 0.0)


@functools.cache
def _steady_summary() -> RideSummary:
    return summarize_ride(_steady_ride_with_pause(), ftp_w=200.0, threshold_hr=160.0)


def test_summary_separates_elapsed_and_moving_time_and_reads_the_odometer() -> None:
    summary = _steady_summary()
    assert summary.duration_s == 4800
    assert summary.moving_time_s == 4200
    assert summary.distance_m == pytest.approx(4200 * SPEED_KMH / 3.6)


def test_summary_power_metrics_skip_the_pause() -> None:
    summary = _steady_summary()
    ramp = sum((200.0 * k / 30) ** 4 for k in range(1, 30))
    expected_np = ((ramp + (4200 - 29) * 200.0**4) / 4200) ** 0.25
    assert summary.avg_power_w == 200.0
    assert summary.max_power_w == 200.0
    assert summary.normalized_power_w == pytest.approx(expected_np)
    assert summary.intensity_factor == pytest.approx(expected_np / 200.0)
    assert summary.tss == pytest.approx(training_stress_score(4200, expected_np, 200.0))
    assert summary.work_kj == pytest.approx(840.0)


def test_summary_zones_and_heart_rate_and_cadence() -> None:
    summary = _steady_summary()
    assert summary.time_in_power_zones_s is not None
    assert dict(summary.time_in_power_zones_s)["Z4 Lactate threshold"] == 4200
    assert sum(s for _, s in summary.time_in_power_zones_s) == 4200
    assert summary.time_in_hr_zones_s is not None
    # 150 bpm is exactly int(160 x 94 %): a bound belongs to the zone it opens.
    assert dict(summary.time_in_hr_zones_s)["Z4 Lactate threshold"] == 4200
    assert (summary.avg_hr_bpm, summary.max_hr_bpm) == (150.0, 150.0)
    assert (summary.avg_cadence_rpm, summary.max_cadence_rpm) == (90.0, 90.0)


def test_summary_power_curve_counts_the_pause_as_zero_watts() -> None:
    summary = _steady_summary()
    assert summary.power_curve_w[5] == 200.0
    assert summary.power_curve_w[3600] == pytest.approx(200.0)
    assert summary.full_power_curve is not None
    assert summary.full_power_curve.best(4800) == pytest.approx(200.0 * 4200 / 4800)
    assert summary.eftp_w == pytest.approx(190.0)


def test_summary_moving_time_leaves_out_standing_still_with_the_head_unit_on() -> None:
    points = [(float(t), {"speed_kmh": 25.0, "cadence_rpm": 85.0}) for t in range(100)]
    points += [(float(t), {"speed_kmh": 0.3, "cadence_rpm": 0.0}) for t in range(100, 160)]
    summary = summarize_ride(resample_to_1hz(points, 0.0))
    assert summary.duration_s == 160
    assert summary.moving_time_s == 100
    assert summary.avg_cadence_rpm == 85.0


def test_summary_of_a_ride_without_power_has_no_power_metrics() -> None:
    points = [(float(t), {"heart_rate_bpm": 120.0}) for t in range(60)]
    summary = summarize_ride(resample_to_1hz(points, 0.0), ftp_w=250.0, threshold_hr=170.0)
    assert summary.avg_power_w is None and summary.tss is None and summary.work_kj is None
    assert summary.time_in_power_zones_s is None
    assert summary.power_curve_w == {}
    assert summary.moving_time_s == 60
    assert summary.distance_m is None


def test_summary_adds_rmssd_and_wbal_when_given_rr_intervals_and_cp() -> None:
    points = [(float(t), {"power_w": 350.0}) for t in range(60)]
    summary = summarize_ride(
        resample_to_1hz(points, 0.0),
        rr_ms=[800.0, 810.0, 790.0, 800.0],
        cp_w=250.0,
        w_prime_j=20000.0,
    )
    assert summary.rmssd_ms == pytest.approx(math.sqrt(600 / 3))
    # Skiba 2012 integral; nothing below CP, so D_CP = 0 and tau = int(546 + 316) = 862 s.
    decay = math.exp(-1.0 / 862)
    assert summary.wbal_min_j == pytest.approx(20000.0 - 100.0 * (1 - decay**60) / (1 - decay))
    assert summary.wprime_expended_kj == pytest.approx(6.0)


def test_summary_cp_defaults_to_the_ftp_and_w_prime_to_20_kj() -> None:
    points = [(float(t), {"power_w": 300.0, "heart_rate_bpm": 150.0}) for t in range(120)]
    summary = summarize_ride(resample_to_1hz(points, 0.0), ftp_w=250.0)
    assert (summary.cp_w, summary.w_prime_j) == (250.0, 20000.0)
    assert summary.wprime_expended_kj == pytest.approx(50.0 * 120 / 1000)
    assert summary.wbal_min_j is not None and summary.wbal_min_j < 20000.0 - 5000.0
    assert summary.xpower_w is not None and 0 < summary.xpower_w < 300.0
    assert summary.efficiency_factor == pytest.approx(summary.normalized_power_w / 150.0)


def test_summary_without_ftp_or_cp_has_no_w_prime_figures() -> None:
    points = [(float(t), {"power_w": 300.0}) for t in range(60)]
    summary = summarize_ride(resample_to_1hz(points, 0.0))
    assert summary.cp_w is None and summary.wbal_min_j is None
    assert summary.wprime_expended_kj is None and summary.time_in_power_zones_s is None
    assert summary.xpower_w is not None


def test_summary_as_dict_is_plain_json() -> None:
    summary = _steady_summary()
    data = json.loads(json.dumps(summary.as_dict()))
    assert data["power_curve_w"]["60"] == 200.0
    assert data["time_in_power_zones_s"]["Z4 Lactate threshold"] == 4200
    assert data["duration_s"] == 4800
    assert "full_power_curve" not in data
