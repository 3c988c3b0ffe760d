"""Recomputes the 1 Hz rows of a window of seconds from the bins around it (pure).

The rows must equal what `domain.metrics.resample_to_1hz` gives for the whole session, however
its readings were split into batches and in whatever order they arrived. A reading at second
``s`` can only change rows within ``max_fill_s`` of it (the recorded mask and the linear fill
both look at most ``max_fill_s`` seconds either way), and a row within that window is fully
determined by the bins within ``max_fill_s`` of the row. So a batch touching seconds
``[a, b]`` recomputes the rows of ``[a - W, b + W]`` from the bins of ``[a - 2W, b + 2W]``.

One rule is session-wide: once a session has any power reading, a recorded second without one
counts as 0 W (docs/metrics.md, gap policy 4). The caller passes that flag, and widens the
window to the whole session the first time power appears.

The 30 s rolling power that NP is built from (``power_30s_w``) runs over the seconds that have
a power value, in order, from a zero-filled window, exactly as ``domain.metrics.power`` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.metrics.power import NP_WINDOW_S
from domain.metrics.resample import GapPolicy, resample_to_1hz
from projections.samples.readings import CHANNELS, CUMULATIVE_CHANNELS, Bin

POWER = "power_w"
ROLLING_POWER = "power_30s_w"

Row = dict[str, float | None]


@dataclass(frozen=True)
class Window:
    """Seconds ``lo..hi`` (inclusive) whose rows are recomputed; bins needed: ``context``."""

    lo: int
    hi: int
    reach: int

    @property
    def context(self) -> tuple[int, int]:
        return self.lo - self.reach, self.hi + self.reach


def dirty_window(
    touched_lo: int, touched_hi: int, max_fill_s: int, session_first: int | None = None
) -> Window:
    """The rows a batch of readings in ``touched_lo..touched_hi`` can change.

    ``session_first`` widens it back to the session's first second (power just appeared).
    """
    lo = touched_lo - max_fill_s
    if session_first is not None:
        lo = min(lo, session_first)
    return Window(lo=lo, hi=touched_hi + max_fill_s, reach=max_fill_s)


def rows_for_window(
    bins: Mapping[int, Bin], window: Window, *, has_power: bool, policy: GapPolicy
) -> dict[int, Row]:
    """Rows for the recorded seconds of the window; ``bins`` must cover ``window.context``."""
    context_lo, context_hi = window.context
    seconds = sorted(s for s, b in bins.items() if context_lo <= s <= context_hi and b.has_values)
    if not seconds:
        return {}
    base = seconds[0]
    series = resample_to_1hz(
        [(float(s - base), bins[s].values()) for s in seconds],
        0.0,
        GapPolicy(
            max_fill_s=policy.max_fill_s,
            silent_power_is_zero=False,
            cumulative_channels=CUMULATIVE_CHANNELS,
        ),
    )
    channels = {name: series.channel(name) for name in CHANNELS}
    rows: dict[int, Row] = {}
    for second in range(max(window.lo, base), min(window.hi, base + series.length - 1) + 1):
        k = second - base
        if not series.recorded[k]:
            continue
        row: Row = {name: channels[name][k] for name in CHANNELS}
        if has_power and policy.silent_power_is_zero and row[POWER] is None:
            row[POWER] = 0.0
        rows[second] = row
    return rows


def rolling_power(
    previous: Sequence[float], powers: Sequence[float | None], window_s: int = NP_WINDOW_S
) -> list[float | None]:
    """The rolling mean of each power value over the last ``window_s`` values.

    ``previous``: the power values just before (oldest first; fewer than ``window_s - 1`` at
    the start of a session, the rest of the window being zeros). ``None`` stays ``None``.
    """
    history = [0.0] * window_s + [float(p) for p in previous]
    history = history[-window_s:]
    rolling_sum = sum(history)
    index = 0
    out: list[float | None] = []
    for power in powers:
        if power is None:
            out.append(None)
            continue
        rolling_sum += power - history[index]
        history[index] = power
        index = (index + 1) % window_s
        out.append(rolling_sum / window_s)
    return out
