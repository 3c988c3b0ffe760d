"""Aerobic decoupling (Pa:HR) and efficiency factor: power per heartbeat, and how it drifts.

As GoldenCheetah's AerobicDecoupling.cpp: the seconds with a power value (zeros included) are
split, in time order, at the middle one (the middle second of an odd count goes to the second
half). In each half, power and heart rate are averaged over the seconds whose heart rate is
above 0, and ``decoupling % = (P1/H1 - P2/H2) / (P1/H1) x 100``: positive when HR drifts up
for the same power. There is no minimum length. Efficiency factor (Coggan.cpp): NP / average HR.
"""

from __future__ import annotations

from collections.abc import Sequence


def aerobic_decoupling(
    power: Sequence[float | None], heart_rate: Sequence[float | None]
) -> float | None:
    """``None`` when a half has no heart rate, or the first half no power."""
    with_power = [(w, hr) for w, hr in zip(power, heart_rate, strict=True) if w is not None]
    half = len(with_power) // 2
    first = _efficiency(with_power[:half])
    second = _efficiency(with_power[half:])
    if first is None or second is None or first == 0:
        return None
    return (first - second) / first * 100.0


def _efficiency(pairs: Sequence[tuple[float, float | None]]) -> float | None:
    beating = [(w, hr) for w, hr in pairs if hr is not None and hr > 0]
    if not beating:
        return None
    return sum(w for w, _ in beating) / sum(hr for _, hr in beating)


def efficiency_factor(np_w: float | None, avg_hr_bpm: float | None) -> float | None:
    """NP / average heart rate; ``None`` without either."""
    if np_w is None or avg_hr_bpm is None or not avg_hr_bpm > 0:
        return None
    return np_w / avg_hr_bpm
