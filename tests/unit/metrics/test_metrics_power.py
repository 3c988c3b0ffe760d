"""Average power, NP, IF, TSS, VI and work on hand-computable series."""

from __future__ import annotations

import pytest

from domain.metrics.errors import InvalidThresholdError
from domain.metrics.power import (
    average_power,
    intensity_factor,
    max_power,
    normalized_power,
    power_metrics,
    training_stress_score,
    variability_index,
    work_kj,
)


def _mean_fourth_power_of_ramp(top: float, steps: range) -> float:
    return sum((top * k / 30) ** 4 for k in steps)


def test_tss_is_100_and_if_is_1_for_one_hour_at_ftp() -> None:
    assert intensity_factor(200.0, 200.0) == 1.0
    assert training_stress_score(3600, 200.0, 200.0) == pytest.approx(100.0)


def test_np_of_constant_power_only_loses_the_zero_filled_first_29_seconds() -> None:
    # GoldenCheetah's window starts full of zeros: the rolling mean ramps up over 29 s.
    expected = ((_mean_fourth_power_of_ramp(200.0, range(1, 30)) + 3571 * 200.0**4) / 3600) ** 0.25
    np_w = normalized_power([200.0] * 3600)
    assert np_w == pytest.approx(expected, rel=1e-12)
    assert np_w == pytest.approx(199.67, abs=0.01)


def test_np_of_30s_on_30s_off_is_the_4th_power_mean_of_a_triangle_wave() -> None:
    power = ([400.0] * 30 + [0.0] * 30) * 60
    rising = _mean_fourth_power_of_ramp(400.0, range(1, 31))
    falling = _mean_fourth_power_of_ramp(400.0, range(0, 30))
    assert normalized_power(power) == pytest.approx(((rising + falling) / 60) ** 0.25)
    assert average_power(power) == 200.0


def test_np_skips_a_pause_instead_of_counting_it_as_zeros() -> None:
    effort = [150.0 + (k % 40) * 5 for k in range(1200)]
    with_pause = [*effort[:600], *([None] * 900), *effort[600:]]
    assert normalized_power(with_pause) == normalized_power(effort)


def test_average_power_counts_zeros_but_not_missing_seconds() -> None:
    assert average_power([0.0, 100.0, 200.0]) == 100.0
    assert average_power([None, 100.0, None]) == 100.0
    assert average_power([None, None]) is None


def test_max_power_and_work_come_from_the_recorded_seconds() -> None:
    assert max_power([None, 120.0, 480.0, 0.0]) == 480.0
    assert work_kj([200.0] * 3600) == pytest.approx(720.0)
    assert work_kj([None, 500.0, None, 500.0]) == pytest.approx(1.0)


def test_variability_index_is_np_over_average_and_undefined_at_zero_average() -> None:
    assert variability_index(260.0, 200.0) == pytest.approx(1.3)
    assert variability_index(0.0, 0.0) is None


def test_power_metrics_uses_recorded_seconds_as_tss_duration() -> None:
    power = [250.0] * 1800 + [None] * 1800
    metrics = power_metrics(power, ftp_w=250.0)
    assert metrics is not None
    assert metrics.seconds == 1800
    assert metrics.tss == pytest.approx(training_stress_score(1800, metrics.np_w, 250.0))
    assert metrics.tss == pytest.approx(50.0, abs=0.5)


def test_power_metrics_leaves_if_and_tss_out_without_ftp() -> None:
    metrics = power_metrics([100.0, 200.0])
    assert metrics is not None
    assert metrics.intensity_factor is None and metrics.tss is None
    assert metrics.avg_w == 150.0


def test_power_metrics_is_none_when_the_series_has_no_power() -> None:
    assert power_metrics([None, None], ftp_w=200.0) is None


@pytest.mark.parametrize("ftp", [0.0, -10.0])
def test_ftp_must_be_positive(ftp: float) -> None:
    with pytest.raises(InvalidThresholdError):
        intensity_factor(200.0, ftp)
    with pytest.raises(InvalidThresholdError):
        power_metrics([200.0], ftp_w=ftp)
