"""The durations at which each session's power curve is stored (`session_summaries.curve_w`).

Every second up to a minute, every 5 s up to 5 minutes, then 3 % steps up to 24 hours, plus
the standard best-effort durations: about 300 points, so the best of hundreds of rides for any
duration is a small query. A curve is stored up to the session's length; element ``i`` of
`curve_w` is the best mean power over ``CURVE_GRID_S[i]`` seconds.
"""

from __future__ import annotations

# Durations riders compare (best efforts) are always on the grid.
STANDARD_DURATIONS_S: tuple[int, ...] = (
    5, 10, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 5400, 7200, 10800, 14400,
)  # fmt: skip


def _grid() -> tuple[int, ...]:
    durations = set(range(1, 61)) | set(range(65, 301, 5)) | set(STANDARD_DURATIONS_S)
    d = 300.0
    while d < 86_400:
        d *= 1.03
        durations.add(min(int(round(d / 5.0) * 5), 86_400))
    return tuple(sorted(durations))


CURVE_GRID_S: tuple[int, ...] = _grid()
