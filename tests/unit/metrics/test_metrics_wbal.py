"""W' balance, Skiba 2012 integral and Skiba 2015 differential forms."""

from __future__ import annotations

import math

import pytest

from domain.metrics.errors import InvalidThresholdError, ResampleError
from domain.metrics.wbal import skiba_tau, wbal_at_seconds, wbal_differential, wbal_integral

CP = 250.0
W_PRIME = 20000.0


def test_wbal_stays_full_when_power_never_exceeds_cp() -> None:
    power: list[float | None] = [200.0] * 600
    assert wbal_integral(power, CP, W_PRIME) == (W_PRIME,) * 600
    assert wbal_differential(power, CP, W_PRIME) == (W_PRIME,) * 600


def test_differential_wbal_drains_by_the_work_above_cp() -> None:
    balance = wbal_differential([350.0] * 60, CP, W_PRIME)
    assert balance[-1] == pytest.approx(W_PRIME - 100.0 * 60)


def test_differential_wbal_recovers_in_proportion_to_what_is_missing() -> None:
    balance = wbal_differential([350.0] * 100 + [None], CP, W_PRIME)
    spent = W_PRIME - 100.0 * 100
    assert balance[-1] == pytest.approx(spent + CP * (W_PRIME - spent) / W_PRIME)


def test_integral_wbal_is_the_exponentially_weighted_sum_of_work_above_cp() -> None:
    tau = 400.0
    balance = wbal_integral([350.0] * 120, CP, W_PRIME, tau_s=tau)
    decay = math.exp(-1.0 / tau)
    expected_spent = 100.0 * (1 - decay**120) / (1 - decay)
    assert balance[-1] == pytest.approx(W_PRIME - expected_spent)


def test_skiba_tau_uses_cp_minus_mean_power_below_cp() -> None:
    power: list[float | None] = [100.0, 100.0, 400.0, None]  # below CP: 100, 100, 0 (pause)
    expected = int(546.0 * math.exp(-0.01 * (CP - 200.0 / 3)) + 316.0)  # whole seconds, as GC
    assert skiba_tau(power, CP) == expected


def test_differential_wbal_missing_part_decays_geometrically_at_rest() -> None:
    balance = wbal_differential([350.0] * 100 + [0.0] * 80, CP, W_PRIME)
    missing = 100.0 * 100
    assert W_PRIME - balance[-1] == pytest.approx(missing * (1 - CP / W_PRIME) ** 80)


def test_integral_wbal_recovers_slower_than_differential_at_moderate_recovery_power() -> None:
    # At 150 W recovery: integral tau = 546 e^-1 + 316 = 517 s; differential W'/D_CP = 200 s.
    power = ([400.0] * 60 + [150.0] * 120) * 5
    assert skiba_tau(power, CP) == int(546.0 * math.exp(-1.0) + 316.0)
    assert min(wbal_integral(power, CP, W_PRIME)) < min(wbal_differential(power, CP, W_PRIME))


@pytest.mark.parametrize(("cp", "w_prime"), [(0.0, W_PRIME), (CP, 0.0), (-1.0, -1.0)])
def test_wbal_needs_positive_cp_and_w_prime(cp: float, w_prime: float) -> None:
    with pytest.raises(InvalidThresholdError):
        wbal_integral([300.0], cp, w_prime)
    with pytest.raises(InvalidThresholdError):
        wbal_differential([300.0], cp, w_prime)


def test_wbal_at_recorded_seconds_recovers_across_a_pause_as_if_at_zero_watts() -> None:
    # 60 s hard, a 120 s pause (no rows), 30 s easy: the same as the dense ride with None.
    seconds = [*range(60), *range(180, 210)]
    power: list[float | None] = [400.0] * 60 + [150.0] * 30
    dense: list[float | None] = [400.0] * 60 + [None] * 120 + [150.0] * 30
    expected = wbal_integral(dense, CP, W_PRIME)
    assert wbal_at_seconds(seconds, power, CP, W_PRIME) == tuple(expected[s] for s in seconds)
    assert min(wbal_at_seconds(seconds, power, CP, W_PRIME)) == min(expected)


def test_wbal_at_seconds_refuses_seconds_out_of_order_or_unmatched() -> None:
    with pytest.raises(ResampleError, match="ascending"):
        wbal_at_seconds([0, 2, 2], [300.0, 300.0, 300.0], CP, W_PRIME)
    with pytest.raises(ResampleError, match="2 seconds but 1 power"):
        wbal_at_seconds([0, 1], [300.0], CP, W_PRIME)
    assert wbal_at_seconds([], [], CP, W_PRIME) == ()
