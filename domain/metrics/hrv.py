"""RMSSD from beat-to-beat (RR) intervals in milliseconds, with artefact filtering.

Filtering, in order:
1. an RR outside 300..2000 ms (200..30 bpm) is not a heartbeat interval: dropped;
2. an RR differing by more than 20 % from the previous in-range RR is an artefact (missed or
   extra beat): dropped. The reference is the previous in-range RR even when that one was
   dropped, so one bad beat costs at most two intervals and a bad first beat cannot make the
   filter reject everything after it.
Successive differences are taken only between two RR that were adjacent in the recording and
both accepted, so a dropped beat never creates a fake difference across the gap.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

MIN_RR_MS = 300.0
MAX_RR_MS = 2000.0
MAX_CHANGE_FRACTION = 0.20


def clean_rr_intervals(rr_ms: Sequence[float]) -> tuple[float | None, ...]:
    """The RR intervals with artefacts replaced by ``None`` (same length as the input)."""
    cleaned: list[float | None] = []
    previous: float | None = None
    for rr in rr_ms:
        if not MIN_RR_MS <= rr <= MAX_RR_MS:
            cleaned.append(None)
            continue
        jump = previous is not None and abs(rr - previous) > MAX_CHANGE_FRACTION * previous
        cleaned.append(None if jump else rr)
        previous = rr
    return tuple(cleaned)


def rmssd(rr_ms: Sequence[float]) -> float | None:
    """Root mean square of successive RR differences in ms; ``None`` without any valid pair."""
    cleaned = clean_rr_intervals(rr_ms)
    squares = [
        (b - a) ** 2 for a, b in itertools.pairwise(cleaned) if a is not None and b is not None
    ]
    return math.sqrt(sum(squares) / len(squares)) if squares else None
