"""W' balance: the anaerobic work capacity left, second by second, from CP and W'.

A pause (``None``) is taken as 0 W: the rider recovers at rest.

* Skiba 2012, integral form: ``W'bal(t) = W' - sum_{u <= t, P(u) > CP} (P(u) - CP) e^{-(t-u)/tau}``
  with ``tau = int(546 e^{-0.01 D_CP} + 316)`` s (truncated to whole seconds, as GoldenCheetah's
  WPrime.cpp) and ``D_CP`` = CP minus the ride's mean power over the seconds below CP (pauses
  included, as 0 W). The sum is computed recursively (decay the running sum by ``e^{-1/tau}``
  each second, then add the new expenditure), O(n) instead of O(n^2), same values.
* Skiba 2015 differential form as written by Froncioni and Clarke (forward Euler, dt = 1 s):
  above CP ``W'bal -= P - CP``; below CP ``W'bal += (CP - P) (W' - W'bal) / W'``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise

from domain.metrics.errors import InvalidThresholdError, ResampleError


def _check(cp_w: float, w_prime_j: float) -> None:
    if not cp_w > 0:
        raise InvalidThresholdError(f"CP must be a positive number of watts, got {cp_w}")
    if not w_prime_j > 0:
        raise InvalidThresholdError(f"W' must be a positive number of joules, got {w_prime_j}")


def skiba_tau(power: Sequence[float | None], cp_w: float) -> float:
    """Skiba 2012 recovery time constant in whole seconds; D_CP = CP - mean power below CP."""
    below = [w if w is not None else 0.0 for w in power]
    below = [w for w in below if w < cp_w]
    d_cp = cp_w - sum(below) / len(below) if below else 0.0
    return float(int(546.0 * math.exp(-0.01 * d_cp) + 316.0))


def wprime_expended_kj(power: Sequence[float | None], cp_w: float) -> float:
    """Work above CP in kJ: the sum of ``max(0, P - CP)`` over the seconds (WPrime.cpp)."""
    if not cp_w > 0:
        raise InvalidThresholdError(f"CP must be a positive number of watts, got {cp_w}")
    return sum(w - cp_w for w in power if w is not None and w > cp_w) / 1000.0


def wbal_integral(
    power: Sequence[float | None], cp_w: float, w_prime_j: float, tau_s: float | None = None
) -> tuple[float, ...]:
    """Skiba 2012 W'bal in joules for each second; ``tau_s`` defaults to ``skiba_tau``."""
    _check(cp_w, w_prime_j)
    tau = skiba_tau(power, cp_w) if tau_s is None else tau_s
    if not tau > 0:
        raise InvalidThresholdError(f"tau must be a positive number of seconds, got {tau}")
    decay = math.exp(-1.0 / tau)
    spent = 0.0
    balance: list[float] = []
    for watts in power:
        above = (watts if watts is not None else 0.0) - cp_w
        spent = spent * decay + (above if above > 0 else 0.0)
        balance.append(w_prime_j - spent)
    return tuple(balance)


def wbal_at_seconds(
    seconds: Sequence[int],
    power: Sequence[float | None],
    cp_w: float,
    w_prime_j: float,
) -> tuple[float, ...]:
    """``wbal_integral`` at each recorded second of a ride kept as rows (``seconds`` ascending,
    one power value each): the seconds missing between rows are a pause, taken as 0 W, so the
    balance recovers across it and ``tau`` is the summary's."""
    if len(seconds) != len(power):
        raise ResampleError(f"{len(seconds)} seconds but {len(power)} power values")
    if any(later <= earlier for earlier, later in pairwise(seconds)):
        raise ResampleError("the seconds of a ride must be in strictly ascending order")
    if not seconds:
        return ()
    first = seconds[0]
    dense: list[float | None] = [None] * (seconds[-1] - first + 1)
    for second, watts in zip(seconds, power, strict=True):
        dense[second - first] = watts
    balance = wbal_integral(dense, cp_w, w_prime_j)
    return tuple(balance[second - first] for second in seconds)


def wbal_differential(
    power: Sequence[float | None], cp_w: float, w_prime_j: float
) -> tuple[float, ...]:
    """Skiba 2015 / Froncioni-Clarke W'bal in joules for each second."""
    _check(cp_w, w_prime_j)
    left = w_prime_j
    balance: list[float] = []
    for watts in power:
        w = watts if watts is not None else 0.0
        if w > cp_w:
            left -= w - cp_w
        else:
            left += (cp_w - w) * (w_prime_j - left) / w_prime_j
        balance.append(left)
    return tuple(balance)
