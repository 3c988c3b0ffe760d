"""Pure ride metrics on 1 Hz series (stdlib only). Formulas and policies: docs/metrics.md."""

from domain.metrics.curve import PowerCurve, best_efforts, mean_max_power
from domain.metrics.errors import InvalidThresholdError, MetricsError, ResampleError
from domain.metrics.fitness import (
    CriticalPowerFit,
    FitnessDay,
    eftp_from_curve,
    fit_critical_power,
    fitness_by_day,
)
from domain.metrics.power import PowerMetrics, power_metrics
from domain.metrics.resample import DEFAULT_GAP_POLICY, GapPolicy, Series, resample_to_1hz
from domain.metrics.summary import RideSummary, summarize_ride

__all__ = [
    "DEFAULT_GAP_POLICY",
    "CriticalPowerFit",
    "FitnessDay",
    "GapPolicy",
    "InvalidThresholdError",
    "MetricsError",
    "PowerCurve",
    "PowerMetrics",
    "ResampleError",
    "RideSummary",
    "Series",
    "best_efforts",
    "eftp_from_curve",
    "fit_critical_power",
    "fitness_by_day",
    "mean_max_power",
    "power_metrics",
    "resample_to_1hz",
    "summarize_ride",
]
