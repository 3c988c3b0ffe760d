"""Training load over days (CTL/ATL/TSB) and threshold estimates from a power curve.

CTL and ATL are exponentially weighted averages of daily TSS with time constants of 42 and 7
days, in GoldenCheetah's exact form ``load_d = load_{d-1} e^{-1/T} + TSS_d (1 - e^{-1/T})``
(TrainingPeaks' ``load_{d-1} + (TSS_d - load_{d-1}) / T`` takes steps 1.2 % larger for CTL
and 7 % larger for ATL).
TSB on day ``d`` is yesterday's ``CTL - ATL``: the form you start the day with, before that
day's training, as GoldenCheetah and TrainingPeaks show it. Days without TSS count as 0.

eFTP is 95 % of the best 20-minute power (Coggan's field test). A single ride rarely holds
maximal efforts at several durations, which a CP model fit needs, so ``fit_critical_power``
(2-parameter linear work-time model, Monod & Scherrer) is offered separately for curves that
aggregate several rides.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.metrics.curve import PowerCurve
from domain.metrics.errors import InvalidThresholdError

CTL_DAYS = 42.0
ATL_DAYS = 7.0
EFTP_DURATION_S = 1200
EFTP_FRACTION = 0.95
CP_FIT_DURATIONS_S: tuple[int, ...] = (180, 300, 600, 720, 1200)


@dataclass(frozen=True)
class FitnessDay:
    day: dt.date
    tss: float
    ctl: float
    atl: float
    tsb: float


def fitness_by_day(
    daily_tss: Mapping[dt.date, float],
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    initial_ctl: float = 0.0,
    initial_atl: float = 0.0,
    ctl_days: float = CTL_DAYS,
    atl_days: float = ATL_DAYS,
) -> tuple[FitnessDay, ...]:
    """One entry per calendar day from ``start`` to ``end`` (defaults: first and last TSS day).

    ``initial_ctl``/``initial_atl`` are the loads at the end of the day before ``start``; TSS
    outside ``start..end`` is not used.
    """
    if not (ctl_days > 0 and atl_days > 0):
        raise InvalidThresholdError(f"time constants must be positive: {ctl_days}, {atl_days}")
    if not daily_tss and (start is None or end is None):
        return ()
    first = start if start is not None else min(daily_tss)
    last = end if end is not None else max(daily_tss)
    ctl_keep, atl_keep = math.exp(-1.0 / ctl_days), math.exp(-1.0 / atl_days)
    ctl, atl = initial_ctl, initial_atl
    days: list[FitnessDay] = []
    day = first
    while day <= last:
        tss = daily_tss.get(day, 0.0)
        tsb = ctl - atl
        ctl = ctl * ctl_keep + tss * (1.0 - ctl_keep)
        atl = atl * atl_keep + tss * (1.0 - atl_keep)
        days.append(FitnessDay(day=day, tss=tss, ctl=ctl, atl=atl, tsb=tsb))
        day += dt.timedelta(days=1)
    return tuple(days)


def _best(curve: PowerCurve | Mapping[int, float], duration_s: int) -> float | None:
    if isinstance(curve, PowerCurve):
        return curve.best(duration_s)
    return curve.get(duration_s)


def eftp_from_curve(curve: PowerCurve | Mapping[int, float]) -> float | None:
    """95 % of the best 20-minute power; ``None`` when the curve does not reach 20 minutes."""
    best_20 = _best(curve, EFTP_DURATION_S)
    return EFTP_FRACTION * best_20 if best_20 is not None else None


@dataclass(frozen=True)
class CriticalPowerFit:
    cp_w: float
    w_prime_j: float


def fit_critical_power(
    curve: PowerCurve | Mapping[int, float], durations_s: Sequence[int] = CP_FIT_DURATIONS_S
) -> CriticalPowerFit | None:
    """Least-squares fit of ``work = CP * t + W'`` on the curve's best efforts.

    ``None`` with fewer than two usable durations or a non-physiological result (CP or W' <= 0).
    """
    bests = {t: _best(curve, t) for t in durations_s}
    pairs = [(float(t), watts * t) for t, watts in bests.items() if watts is not None]
    if len(pairs) < 2:
        return None
    mean_t = sum(t for t, _ in pairs) / len(pairs)
    mean_work = sum(work for _, work in pairs) / len(pairs)
    spread = sum((t - mean_t) ** 2 for t, _ in pairs)
    if spread == 0:
        return None
    cp = sum((t - mean_t) * (work - mean_work) for t, work in pairs) / spread
    w_prime = mean_work - cp * mean_t
    if cp <= 0 or w_prime <= 0:
        return None
    return CriticalPowerFit(cp_w=cp, w_prime_j=w_prime)
