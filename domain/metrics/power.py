"""Power metrics on a 1 Hz power series (``None`` = no data for that second, e.g. a pause).

Conventions follow GoldenCheetah so that values agree with it (docs/metrics.md):

* average power and work count every second that has a value, zeros and gap fill included;
* NP runs its 30 s rolling average over the seconds that have a value, in order (a pause is
  skipped, not treated as 30 s of zeros), from a zero-filled window, and averages the 4th power
  of every rolling value, the first 29 partial ones included;
* TSS uses the number of seconds with a power value as the duration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.metrics.errors import InvalidThresholdError

NP_WINDOW_S = 30


def _values(power: Sequence[float | None]) -> list[float]:
    return [w for w in power if w is not None]


def average_power(power: Sequence[float | None]) -> float | None:
    values = _values(power)
    return sum(values) / len(values) if values else None


def max_power(power: Sequence[float | None]) -> float | None:
    values = _values(power)
    return max(values) if values else None


def work_kj(power: Sequence[float | None]) -> float:
    """Mechanical work in kJ: the sum of the 1 s power values."""
    return sum(_values(power)) / 1000.0


def normalized_power(power: Sequence[float | None], window_s: int = NP_WINDOW_S) -> float | None:
    """Coggan's NP: 4th root of the mean 4th power of the rolling ``window_s`` average."""
    if window_s < 1:
        raise InvalidThresholdError(f"NP window must be at least 1 s, got {window_s}")
    values = _values(power)
    return _normalized(values, window_s) if values else None


def _normalized(values: list[float], window_s: int) -> float:
    window = [0.0] * window_s
    index = 0
    rolling_sum = 0.0
    fourth_powers = 0.0
    for watts in values:
        rolling_sum += watts - window[index]
        window[index] = watts
        index = (index + 1) % window_s
        fourth_powers += (rolling_sum / window_s) ** 4
    return float((fourth_powers / len(values)) ** 0.25)


def _require_ftp(ftp_w: float) -> None:
    if not ftp_w > 0:
        raise InvalidThresholdError(f"FTP must be a positive number of watts, got {ftp_w}")


def intensity_factor(np_w: float, ftp_w: float) -> float:
    _require_ftp(ftp_w)
    return np_w / ftp_w


def training_stress_score(duration_s: float, np_w: float, ftp_w: float) -> float:
    """TSS = seconds * NP * IF / (FTP * 3600) * 100: 100 for one hour at FTP."""
    _require_ftp(ftp_w)
    return duration_s * np_w * (np_w / ftp_w) / (ftp_w * 3600.0) * 100.0


def variability_index(np_w: float, avg_w: float) -> float | None:
    return np_w / avg_w if avg_w > 0 else None


@dataclass(frozen=True)
class PowerMetrics:
    seconds: int
    avg_w: float
    max_w: float
    np_w: float
    work_kj: float
    vi: float | None
    intensity_factor: float | None
    tss: float | None


def power_metrics(power: Sequence[float | None], ftp_w: float | None = None) -> PowerMetrics | None:
    """Every power metric at once; ``None`` when the series has no power value at all.

    IF and TSS are ``None`` without an FTP.
    """
    values = _values(power)
    if not values:
        return None
    avg = sum(values) / len(values)
    np_w = _normalized(values, NP_WINDOW_S)
    if_value = intensity_factor(np_w, ftp_w) if ftp_w is not None else None
    tss = training_stress_score(len(values), np_w, ftp_w) if ftp_w is not None else None
    return PowerMetrics(
        seconds=len(values),
        avg_w=avg,
        max_w=max(values),
        np_w=np_w,
        work_kj=sum(values) / 1000.0,
        vi=variability_index(np_w, avg),
        intensity_factor=if_value,
        tss=tss,
    )
