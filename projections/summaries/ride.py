"""A session's stored 1 Hz rows as a `domain.metrics.Series`, and its summary as a table row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.metrics.curve_grid import CURVE_GRID_S
from domain.metrics.resample import CADENCE, DISTANCE, HEART_RATE, POWER, SPEED, Series
from domain.metrics.summary import RideSummary

# (epoch second, power, heart rate, cadence, speed, distance, rr list)
StoredSecond = tuple[int, Any, Any, Any, Any, Any, Any]
_CHANNELS = (POWER, HEART_RATE, CADENCE, SPEED, DISTANCE)


@dataclass(frozen=True)
class StoredRide:
    series: Series
    rr_ms: tuple[float, ...]
    first_second: int | None


def ride_from_rows(rows: Sequence[StoredSecond]) -> StoredRide:
    """Seconds missing between rows are unrecorded (a pause); rows must be in time order."""
    if not rows:
        return StoredRide(Series(start=0.0, recorded=()), (), None)
    first = rows[0][0]
    length = rows[-1][0] - first + 1
    recorded = [False] * length
    channels: dict[str, list[float | None]] = {name: [None] * length for name in _CHANNELS}
    rr: list[float] = []
    for second, *values, rr_ms in rows:
        k = second - first
        recorded[k] = True
        for name, value in zip(_CHANNELS, values, strict=True):
            channels[name][k] = None if value is None else float(value)
        if rr_ms:
            rr.extend(float(v) for v in rr_ms)
    series = Series(
        start=float(first),
        recorded=tuple(recorded),
        channels={name: tuple(samples) for name, samples in channels.items()},
    )
    return StoredRide(series, tuple(rr), first)


def summary_columns(summary: RideSummary) -> dict[str, Any]:
    """The summary's values under the `session_summaries` column names."""
    curve = summary.full_power_curve
    curve_w = (
        [curve.watts[d - 1] for d in CURVE_GRID_S if d <= curve.max_duration_s] if curve else None
    )
    return {
        "duration_s": summary.duration_s,
        "moving_time_s": summary.moving_time_s,
        "distance_m": summary.distance_m,
        "avg_power_w": summary.avg_power_w,
        "max_power_w": summary.max_power_w,
        "normalized_power_w": summary.normalized_power_w,
        "intensity_factor": summary.intensity_factor,
        "tss": summary.tss,
        "variability_index": summary.variability_index,
        "work_kj": summary.work_kj,
        "avg_hr_bpm": summary.avg_hr_bpm,
        "max_hr_bpm": summary.max_hr_bpm,
        "avg_cadence_rpm": summary.avg_cadence_rpm,
        "max_cadence_rpm": summary.max_cadence_rpm,
        "threshold_hr_bpm": summary.threshold_hr_bpm,
        "time_in_power_zones": _zones(summary.time_in_power_zones_s),
        "time_in_hr_zones": _zones(summary.time_in_hr_zones_s),
        "power_curve_w": {str(d): w for d, w in summary.power_curve_w.items()} or None,
        "curve_w": curve_w,
        "eftp_w": summary.eftp_w,
        "decoupling_pct": summary.decoupling_pct,
        "rmssd_ms": summary.rmssd_ms,
        "wbal_min_j": summary.wbal_min_j,
        "cp_w": summary.cp_w,
        "w_prime_j": summary.w_prime_j,
        "wprime_expended_kj": summary.wprime_expended_kj,
        "xpower_w": summary.xpower_w,
        "efficiency_factor": summary.efficiency_factor,
    }


def _zones(zone_times: tuple[tuple[str, int], ...] | None) -> list[dict[str, Any]] | None:
    if zone_times is None:
        return None
    return [{"zone": name, "seconds": seconds} for name, seconds in zone_times]
