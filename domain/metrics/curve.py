"""Mean-maximal power curve: the best average power held for every duration 1..n seconds.

A pause (``None``) counts as 0 W, as in GoldenCheetah, so an effort cannot jump over a café stop
for free; negative readings count as 0 W.

Algorithm (docs/metrics.md, "Power curve"): for one duration ``d`` the best window is
``max_i P[i+d] - P[i]`` over prefix sums ``P``. Start positions are cut into blocks of 64; a block
is scanned only if an upper bound of its windows beats the best window found so far. The bound
uses prefix sums of ``p - mean(p)`` (the argmax is the same), which keeps it tight on steady
rides where the plain prefix sums give loose bounds. The first candidate is the previous
duration's best start, which is usually best or nearly so.

Every duration up to ``exact_up_to_s`` (default 3600 s) is searched this way, exactly. Beyond it
the exact search runs on a grid of durations 0.5 % apart (plus the standard best-effort
durations and the full length); a duration between grid points ``g1 < d < g2`` gets the best of
two real efforts of length ``d`` - the best extension of ``g1``'s best window and the best
sub-window of ``g2``'s - with a proven upper bound ``min(E(g2), E(g1) + (d - g1) * max_power)``.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.metrics.errors import MetricsError

EXACT_UP_TO_S = 3600
GRID_STEP_FRACTION = 0.005
STANDARD_DURATIONS_S: tuple[int, ...] = (5, 60, 300, 1200, 3600)
_BLOCK = 64  # a power of two (the sliding maximum is built by doubling)


@dataclass(frozen=True)
class PowerCurve:
    """``watts[d - 1]``: mean power of the best ``d``-second effort found in the ride.

    ``upper_watts[d - 1]`` bounds the true mean-max from above; both are equal where the value
    is exact (every duration up to ``exact_up_to_s`` and the grid durations).
    """

    watts: tuple[float, ...]
    upper_watts: tuple[float, ...]

    @property
    def max_duration_s(self) -> int:
        return len(self.watts)

    def best(self, duration_s: int) -> float | None:
        if 1 <= duration_s <= len(self.watts):
            return self.watts[duration_s - 1]
        return None

    def is_exact(self, duration_s: int) -> bool:
        return self.upper_watts[duration_s - 1] == self.watts[duration_s - 1]

    def at(self, durations: Iterable[int]) -> dict[int, float]:
        """The curve at the given durations, leaving out those longer than the ride."""
        return {d: self.watts[d - 1] for d in durations if 1 <= d <= len(self.watts)}


def best_efforts(
    curve: PowerCurve, durations: Iterable[int] = STANDARD_DURATIONS_S
) -> dict[int, float]:
    return curve.at(durations)


def mean_max_power(power: Sequence[float | None], exact_up_to_s: int = EXACT_UP_TO_S) -> PowerCurve:
    if exact_up_to_s < 1:
        raise MetricsError(f"exact_up_to_s must be at least 1, got {exact_up_to_s}")
    watts = [max(0.0, w) if w is not None else 0.0 for w in power]
    n = len(watts)
    if n == 0:
        return PowerCurve(watts=(), upper_watts=())
    search = _WindowSearch(watts)
    energy = [0.0] * (n + 1)
    upper = [0.0] * (n + 1)
    best_start = [0] * (n + 1)
    start = 0
    previous_grid = 0
    for d in _searched_durations(n, exact_up_to_s):
        energy[d], start = search.best(d, start)
        upper[d] = energy[d]
        best_start[d] = start
        if d - previous_grid > 1 and previous_grid > 0:
            search.fill_between(previous_grid, d, energy, upper, best_start)
        previous_grid = d
    return PowerCurve(
        watts=tuple(energy[d] / d for d in range(1, n + 1)),
        upper_watts=tuple(upper[d] / d for d in range(1, n + 1)),
    )


def _searched_durations(n: int, exact_up_to_s: int) -> list[int]:
    durations = set(range(1, min(n, exact_up_to_s) + 1))
    d = exact_up_to_s
    while d < n:
        d += max(1, int(d * GRID_STEP_FRACTION))
        durations.add(min(d, n))
    durations.update(s for s in STANDARD_DURATIONS_S if s <= n)
    durations.add(n)
    return sorted(durations)


class _WindowSearch:
    """Best fixed-length window of a non-negative 1 Hz series, by bounded block search."""

    def __init__(self, watts: list[float]) -> None:
        self.n = len(watts)
        self.max_w = max(watts)
        self.prefix = [0.0, *itertools.accumulate(watts)]
        mean = self.prefix[-1] / self.n
        self.centred = [0.0, *itertools.accumulate(w - mean for w in watts)]
        self.block_max_end = _sliding_max(self.centred, _BLOCK)
        self.block_min_start = [
            min(self.centred[k : k + _BLOCK]) for k in range(0, self.n + 1, _BLOCK)
        ]

    def best(self, d: int, seed: int) -> tuple[float, int]:
        """(energy in J, start second) of the best ``d``-second window."""
        prefix, centred, sub = self.prefix, self.centred, operator.sub
        starts = self.n + 1 - d
        if starts <= 4 * _BLOCK:
            gains = list(map(sub, prefix[d:], prefix[:starts]))
            top = max(gains)
            return top, gains.index(top)
        best_start = min(seed, starts - 1)
        best = centred[best_start + d] - centred[best_start]
        blocks = -(-starts // _BLOCK)
        bounds = list(
            map(
                sub,
                self.block_max_end[d : d + blocks * _BLOCK : _BLOCK],
                self.block_min_start[:blocks],
            )
        )
        for k in itertools.compress(range(blocks), map(best.__lt__, bounds)):
            if bounds[k] <= best:
                continue
            lo = k * _BLOCK
            hi = min(lo + _BLOCK, starts)
            gains = list(map(sub, centred[lo + d : hi + d], centred[lo:hi]))
            top = max(gains)
            if top > best:
                best, best_start = top, lo + gains.index(top)
        return prefix[best_start + d] - prefix[best_start], best_start

    def fill_between(
        self, g1: int, g2: int, energy: list[float], upper: list[float], best_start: list[int]
    ) -> None:
        """Efforts and bounds for the durations strictly between two searched ones."""
        prefix, sub = self.prefix, operator.sub
        s1, s2 = best_start[g1], best_start[g2]
        for d in range(g1 + 1, g2):
            lo, hi = max(0, s1 + g1 - d), min(s1, self.n - d)
            extended = max(map(sub, prefix[lo + d : hi + d + 1], prefix[lo : hi + 1]))
            inside = max(map(sub, prefix[s2 + d : s2 + g2 + 1], prefix[s2 : s2 + g2 - d + 1]))
            energy[d] = max(extended, inside)
            upper[d] = max(energy[d], min(energy[g2], energy[g1] + (d - g1) * self.max_w))


def _sliding_max(values: list[float], width: int) -> list[float]:
    """``out[j] = max(values[j : j + width])``, clipped at the end; ``width`` a power of two."""
    out = values
    span = 1
    while span < width:
        out = list(map(max, out, [*out[span:], *([float("-inf")] * span)]))
        span *= 2
    return out
