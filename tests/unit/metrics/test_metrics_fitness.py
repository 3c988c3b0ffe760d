"""CTL/ATL/TSB by day, eFTP and the critical power fit."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from domain.metrics.curve import mean_max_power
from domain.metrics.errors import InvalidThresholdError
from domain.metrics.fitness import eftp_from_curve, fit_critical_power, fitness_by_day

DAY0 = dt.date(2024, 3, 1)


def test_ctl_reaches_63_percent_of_a_constant_load_after_42_days() -> None:
    days = fitness_by_day({DAY0 + dt.timedelta(days=k): 100.0 for k in range(42)})
    assert len(days) == 42
    assert days[-1].ctl == pytest.approx(100.0 * (1 - math.exp(-1)))
    assert days[6].atl == pytest.approx(100.0 * (1 - math.exp(-1)))


def test_tsb_is_yesterdays_ctl_minus_atl() -> None:
    days = fitness_by_day({DAY0: 100.0, DAY0 + dt.timedelta(days=1): 50.0})
    assert days[0].tsb == 0.0
    assert days[1].tsb == pytest.approx(days[0].ctl - days[0].atl)
    assert days[1].tsb == pytest.approx(
        100 * (1 - math.exp(-1 / 42)) - 100 * (1 - math.exp(-1 / 7))
    )


def test_days_without_training_count_as_zero_tss() -> None:
    days = fitness_by_day({DAY0: 100.0, DAY0 + dt.timedelta(days=3): 80.0})
    assert [d.day for d in days] == [DAY0 + dt.timedelta(days=k) for k in range(4)]
    assert [d.tss for d in days] == [100.0, 0.0, 0.0, 80.0]
    assert days[2].ctl == pytest.approx(days[1].ctl * math.exp(-1 / 42))


def test_fitness_starts_from_given_loads_and_runs_to_the_end_date() -> None:
    days = fitness_by_day(
        {}, start=DAY0, end=DAY0 + dt.timedelta(days=2), initial_ctl=60.0, initial_atl=80.0
    )
    assert days[0].tsb == pytest.approx(-20.0)
    assert days[-1].ctl == pytest.approx(60.0 * math.exp(-3 / 42))


def test_fitness_of_no_training_without_dates_is_empty() -> None:
    assert fitness_by_day({}) == ()


def test_fitness_needs_positive_time_constants() -> None:
    with pytest.raises(InvalidThresholdError):
        fitness_by_day({DAY0: 1.0}, ctl_days=0.0)


def test_eftp_is_95_percent_of_the_best_20_minutes() -> None:
    assert eftp_from_curve({1200: 300.0, 60: 500.0}) == pytest.approx(285.0)
    curve = mean_max_power([280.0] * 1500)
    assert eftp_from_curve(curve) == pytest.approx(266.0)


def test_eftp_is_undefined_when_the_ride_is_shorter_than_20_minutes() -> None:
    assert eftp_from_curve(mean_max_power([300.0] * 1199)) is None


def test_critical_power_fit_recovers_the_model_that_made_the_curve() -> None:
    curve = {t: 250.0 + 20000.0 / t for t in (180, 300, 600, 720, 1200)}
    fit = fit_critical_power(curve)
    assert fit is not None
    assert fit.cp_w == pytest.approx(250.0)
    assert fit.w_prime_j == pytest.approx(20000.0)


def test_critical_power_fit_refuses_a_non_physiological_result() -> None:
    assert fit_critical_power({180: 200.0, 1200: 300.0}) is None
    assert fit_critical_power({180: 300.0}) is None
