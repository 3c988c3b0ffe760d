"""xPower (Skiba): the fourth-power mean of a 25 s exponentially weighted average of power.

As GoldenCheetah's BikeScore.cpp: each second ``e = e x 25/26 + p / 26`` (weight 1/26, i.e. a
25 s time constant, starting from 0) and ``xPower = (mean of e^4)^(1/4)`` over every second
averaged. Across a recording gap (``None``) the average keeps decaying, one second at a time,
each decayed second counted in the mean, until it falls below 0.1 W; the rest of the gap
counts for nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

XPOWER_WEIGHT = 1.0 / 26.0
NEGLIGIBLE_W = 0.1


def xpower(power: Sequence[float | None]) -> float | None:
    """``None`` when the series has no power value at all."""
    if all(w is None for w in power):
        return None
    keep = 1.0 - XPOWER_WEIGHT
    weighted = 0.0
    total = 0.0
    count = 0
    for watts in power:
        if watts is None:
            if weighted <= NEGLIGIBLE_W:
                continue
            weighted *= keep
        else:
            weighted = weighted * keep + watts * XPOWER_WEIGHT
        total += weighted**4
        count += 1
    return float((total / count) ** 0.25)
