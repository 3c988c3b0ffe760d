"""A compact set of non-negative sequence numbers.

The set is a list of ``[first, last]`` inclusive ranges, sorted, disjoint and merged
(no two ranges touch). It is plain JSON-compatible data so an aggregate can keep it in
its state and snapshots can store it: a contiguous stream of any length is one range.
The functions change the list in place.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import pairwise

SeqRanges = list[list[int]]


def _first(seq_range: list[int]) -> int:
    return seq_range[0]


def contains(ranges: SeqRanges, seq: int) -> bool:
    """Whether ``seq`` is in the set."""
    index = bisect_right(ranges, seq, key=_first) - 1
    return index >= 0 and ranges[index][1] >= seq


def add(ranges: SeqRanges, seq: int) -> bool:
    """Add ``seq`` to the set; return False if it was already there.

    Extends a neighbouring range when ``seq`` touches it, and joins the two neighbours
    when ``seq`` fills the single-number gap between them.
    """
    index = bisect_right(ranges, seq, key=_first)
    before = ranges[index - 1] if index > 0 else None
    after = ranges[index] if index < len(ranges) else None
    if before is not None and before[1] >= seq:
        return False
    if before is not None and before[1] + 1 == seq:
        before[1] = seq
        if after is not None and after[0] == seq + 1:
            before[1] = after[1]
            del ranges[index]
    elif after is not None and after[0] == seq + 1:
        after[0] = seq
    else:
        ranges.insert(index, [seq, seq])
    return True


def count(ranges: SeqRanges) -> int:
    """How many sequence numbers the set holds."""
    return sum(last - first + 1 for first, last in ranges)


def gaps(ranges: SeqRanges) -> SeqRanges:
    """The missing ``[first, last]`` ranges between the lowest and highest member."""
    return [[prev[1] + 1, nxt[0] - 1] for prev, nxt in pairwise(ranges)]
