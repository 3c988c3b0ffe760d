"""One ride's summary: every metric of this package computed from a resampled 1 Hz series."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields

from domain.metrics.curve import PowerCurve, mean_max_power
from domain.metrics.decoupling import aerobic_decoupling, efficiency_factor
from domain.metrics.fitness import eftp_from_curve
from domain.metrics.hrv import rmssd
from domain.metrics.power import power_metrics
from domain.metrics.resample import CADENCE, DISTANCE, HEART_RATE, POWER, SPEED, Series
from domain.metrics.wbal import wbal_integral, wprime_expended_kj
from domain.metrics.xpower import xpower
from domain.metrics.zones import (
    Zone,
    custom_power_zones,
    heart_rate_zones,
    heart_rate_zones_from_max,
    power_zones,
    time_in_zones,
)

COMPACT_CURVE_DURATIONS_S: tuple[int, ...] = (
    1, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 5400, 7200, 10800, 14400,
)  # fmt: skip
# GPS speed wanders by a few tenths of a km/h while standing still.
MOVING_SPEED_KMH = 1.0
# GoldenCheetah's default W', used when the athlete has none.
DEFAULT_W_PRIME_J = 20000.0

ZoneTimes = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class RideSummary:
    duration_s: int
    moving_time_s: int
    distance_m: float | None
    avg_power_w: float | None
    max_power_w: float | None
    normalized_power_w: float | None
    intensity_factor: float | None
    tss: float | None
    variability_index: float | None
    work_kj: float | None
    avg_hr_bpm: float | None
    max_hr_bpm: float | None
    avg_cadence_rpm: float | None
    max_cadence_rpm: float | None
    ftp_w: float | None
    threshold_hr_bpm: float | None
    time_in_power_zones_s: ZoneTimes | None
    time_in_hr_zones_s: ZoneTimes | None
    power_curve_w: Mapping[int, float]
    eftp_w: float | None
    decoupling_pct: float | None
    rmssd_ms: float | None
    wbal_min_j: float | None
    cp_w: float | None = None
    w_prime_j: float | None = None
    wprime_expended_kj: float | None = None
    xpower_w: float | None = None
    efficiency_factor: float | None = None
    full_power_curve: PowerCurve | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, object]:
        """Plain JSON types only; the full curve is left out (it is as long as the ride)."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "full_power_curve"}
        data["power_curve_w"] = {str(d): w for d, w in self.power_curve_w.items()}
        for key in ("time_in_power_zones_s", "time_in_hr_zones_s"):
            zone_times: ZoneTimes | None = getattr(self, key)
            data[key] = None if zone_times is None else dict(zone_times)
        return data


def summarize_ride(
    series: Series,
    ftp_w: float | None = None,
    threshold_hr: float | None = None,
    rr_ms: Sequence[float] | None = None,
    *,
    cp_w: float | None = None,
    w_prime_j: float | None = None,
    curve_durations_s: Iterable[int] = COMPACT_CURVE_DURATIONS_S,
    max_hr: float | None = None,
    power_zone_bounds_pct: Sequence[float] | None = None,
) -> RideSummary:
    """Every metric of the ride; CP defaults to the FTP and W' to 20 kJ (GoldenCheetah's).

    Heart-rate zones: Coggan's from ``threshold_hr``, else 50-90 % of ``max_hr``. Power
    zones: the rider's own upper bounds in % FTP (``power_zone_bounds_pct``) when given and
    an FTP is known, else Coggan's from CP.
    """
    power = series.channel(POWER)
    heart_rate = [hr if hr is not None and hr > 0 else None for hr in series.channel(HEART_RATE)]
    cadence = series.channel(CADENCE)
    has_power = series.has(POWER)
    metrics = power_metrics(power, ftp_w)
    curve = mean_max_power(power) if has_power else None
    cp = cp_w if cp_w is not None else ftp_w
    w_prime = w_prime_j if w_prime_j is not None else DEFAULT_W_PRIME_J
    wbal = wbal_integral(power, cp, w_prime) if has_power and cp is not None else None
    avg_hr = _mean(heart_rate)
    ride_power_zones = (
        custom_power_zones(ftp_w, power_zone_bounds_pct)
        if power_zone_bounds_pct and ftp_w is not None
        else power_zones(cp)
        if cp is not None
        else None
    )
    hr_zones = (
        heart_rate_zones(threshold_hr)
        if threshold_hr is not None
        else heart_rate_zones_from_max(max_hr)
        if max_hr is not None
        else None
    )
    return RideSummary(
        duration_s=series.length,
        moving_time_s=moving_time_s(series),
        distance_m=distance_m(series),
        avg_power_w=metrics.avg_w if metrics else None,
        max_power_w=metrics.max_w if metrics else None,
        normalized_power_w=metrics.np_w if metrics else None,
        intensity_factor=metrics.intensity_factor if metrics else None,
        tss=metrics.tss if metrics else None,
        variability_index=metrics.vi if metrics else None,
        work_kj=metrics.work_kj if metrics else None,
        avg_hr_bpm=avg_hr,
        max_hr_bpm=_max(heart_rate),
        avg_cadence_rpm=_mean([c if c is not None and c > 0 else None for c in cadence]),
        max_cadence_rpm=_max(cadence),
        ftp_w=ftp_w,
        threshold_hr_bpm=threshold_hr,
        time_in_power_zones_s=(
            _zone_times(power, ride_power_zones, series.recorded)
            if has_power and ride_power_zones is not None
            else None
        ),
        time_in_hr_zones_s=(
            _zone_times(heart_rate, hr_zones, series.recorded)
            if hr_zones is not None and series.has(HEART_RATE)
            else None
        ),
        power_curve_w=curve.at(curve_durations_s) if curve is not None else {},
        eftp_w=eftp_from_curve(curve) if curve is not None else None,
        decoupling_pct=aerobic_decoupling(power, heart_rate) if has_power else None,
        rmssd_ms=rmssd(rr_ms) if rr_ms else None,
        wbal_min_j=min(wbal) if wbal else None,
        cp_w=cp if has_power else None,
        w_prime_j=w_prime if has_power and cp is not None else None,
        wprime_expended_kj=wprime_expended_kj(power, cp) if has_power and cp is not None else None,
        xpower_w=xpower(power) if has_power else None,
        efficiency_factor=efficiency_factor(metrics.np_w if metrics else None, avg_hr),
        full_power_curve=curve,
    )


def moving_time_s(series: Series) -> int:
    """Recorded seconds with motion: speed above 1 km/h, or pedalling (power or cadence > 0).

    A ride with none of these channels (heart rate only) counts every recorded second.
    """
    if not any(series.has(name) for name in (SPEED, POWER, CADENCE)):
        return sum(series.recorded)
    speed = series.channel(SPEED)
    power = series.channel(POWER)
    cadence = series.channel(CADENCE)
    return sum(
        1
        for k, recorded in enumerate(series.recorded)
        if recorded
        and (
            (speed[k] or 0.0) > MOVING_SPEED_KMH or (power[k] or 0.0) > 0 or (cadence[k] or 0.0) > 0
        )
    )


def distance_m(series: Series) -> float | None:
    """The ride's odometer (largest cumulative distance), else integrated speed, else None."""
    if series.has(DISTANCE):
        return max(d for d in series.channel(DISTANCE) if d is not None)
    if series.has(SPEED):
        return sum(v for v in series.channel(SPEED) if v is not None) / 3.6
    return None


def _zone_times(
    samples: Sequence[float | None], zones: Sequence[Zone], recorded: Sequence[bool]
) -> ZoneTimes:
    """Every recorded second counts (GoldenCheetah's rule); one without a value is zone 1."""
    seconds = time_in_zones(samples, zones, recorded)
    return tuple(zip((z.name for z in zones), seconds, strict=True))


def _mean(samples: Sequence[float | None]) -> float | None:
    values = [v for v in samples if v is not None]
    return sum(values) / len(values) if values else None


def _max(samples: Sequence[float | None]) -> float | None:
    values = [v for v in samples if v is not None]
    return max(values) if values else None
