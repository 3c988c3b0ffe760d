"""Aerobic decoupling (Pa:HR): how much the power-to-heart-rate ratio drifts over a ride.

Only seconds with both a power value and a heart rate above 0 count. They are split, in time
order, into a first and a second half (equal counts; the middle second of an odd count goes to
the second half). Each half's efficiency is mean power / mean HR and
``decoupling % = (first - second) / first * 100``: positive when HR drifts up for the same power.
"""

from __future__ import annotations

from collections.abc import Sequence

MIN_SECONDS = 600  # below 10 min of paired data the halves are too short to mean anything


def aerobic_decoupling(
    power: Sequence[float | None],
    heart_rate: Sequence[float | None],
    min_seconds: int = MIN_SECONDS,
) -> float | None:
    pairs = [
        (w, hr)
        for w, hr in zip(power, heart_rate, strict=True)
        if w is not None and hr is not None and hr > 0
    ]
    if len(pairs) < max(2, min_seconds):
        return None
    half = len(pairs) // 2
    first = _efficiency(pairs[:half])
    second = _efficiency(pairs[half:])
    if first == 0:
        return None
    return (first - second) / first * 100.0


def _efficiency(pairs: Sequence[tuple[float, float]]) -> float:
    return sum(w for w, _ in pairs) / sum(hr for _, hr in pairs)
