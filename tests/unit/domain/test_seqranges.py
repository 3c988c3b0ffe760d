"""The compact sequence-number set used by sessions for idempotent sample recording."""

from __future__ import annotations

import random

from domain import seqranges


def ranges_of(numbers: set[int]) -> list[list[int]]:
    """Reference answer: group the sorted numbers into runs of consecutive values."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and runs[-1][1] == number - 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return runs


def add_all(ranges: list[list[int]], numbers: list[int]) -> list[bool]:
    return [seqranges.add(ranges, number) for number in numbers]


def test_seqranges_keep_one_range_when_numbers_arrive_in_order() -> None:
    ranges: list[list[int]] = []

    added = add_all(ranges, list(range(1000)))

    assert all(added)
    assert ranges == [[0, 999]]
    assert seqranges.count(ranges) == 1000


def test_seqranges_refuse_duplicates_without_changing_the_set() -> None:
    ranges: list[list[int]] = []
    add_all(ranges, [3, 4, 5, 9])

    added = add_all(ranges, [3, 5, 9, 4])

    assert added == [False, False, False, False]
    assert ranges == [[3, 5], [9, 9]]


def test_seqranges_hold_a_gap_when_live_numbers_arrive_before_the_backlog() -> None:
    ranges: list[list[int]] = []

    add_all(ranges, list(range(100, 110)))
    add_all(ranges, list(range(0, 5)))

    assert ranges == [[0, 4], [100, 109]]
    assert seqranges.gaps(ranges) == [[5, 99]]
    assert not seqranges.contains(ranges, 50)


def test_seqranges_merge_into_one_range_when_the_backlog_fills_the_gap() -> None:
    ranges: list[list[int]] = []
    add_all(ranges, list(range(100, 110)))
    add_all(ranges, list(range(0, 5)))

    add_all(ranges, list(range(99, 4, -1)))  # the backlog drains newest first

    assert ranges == [[0, 109]]
    assert seqranges.gaps(ranges) == []


def test_seqranges_join_both_neighbours_when_one_number_fills_the_gap() -> None:
    ranges: list[list[int]] = []
    add_all(ranges, [1, 2, 4, 5, 7])

    assert seqranges.add(ranges, 3)

    assert ranges == [[1, 5], [7, 7]]


def test_seqranges_extend_a_range_downwards_when_its_predecessor_arrives() -> None:
    ranges: list[list[int]] = []
    add_all(ranges, [10, 11, 20])

    seqranges.add(ranges, 9)
    seqranges.add(ranges, 19)

    assert ranges == [[9, 11], [19, 20]]


def test_seqranges_handle_sequence_numbers_near_the_64_bit_limit() -> None:
    top = 2**63 - 1
    ranges: list[list[int]] = []

    add_all(ranges, [top, 0, top - 1, 2**40])

    assert ranges == [[0, 0], [2**40, 2**40], [top - 1, top]]
    assert seqranges.contains(ranges, top)
    assert not seqranges.contains(ranges, top - 2)
    assert seqranges.count(ranges) == 4


def test_seqranges_contain_nothing_when_empty() -> None:
    assert not seqranges.contains([], 0)
    assert seqranges.count([]) == 0
    assert seqranges.gaps([]) == []


def test_seqranges_answer_membership_at_range_edges() -> None:
    ranges: list[list[int]] = []
    add_all(ranges, [5, 6, 7, 10])

    members = [seq for seq in range(12) if seqranges.contains(ranges, seq)]

    assert members == [5, 6, 7, 10]


def test_seqranges_match_a_plain_set_for_random_arrival_orders() -> None:
    rng = random.Random(20240611)
    for _ in range(200):
        numbers = [rng.randrange(0, 300) for _ in range(rng.randrange(1, 400))]
        ranges: list[list[int]] = []
        seen: set[int] = set()

        for number in numbers:
            assert seqranges.add(ranges, number) == (number not in seen)
            seen.add(number)

        assert ranges == ranges_of(seen)
        assert seqranges.count(ranges) == len(seen)
        assert all(seqranges.contains(ranges, n) == (n in seen) for n in range(-1, 302))
