"""Reconnection delays: exponential, jittered, capped, and reset after a good connection."""

from __future__ import annotations

import asyncio
import random

import pytest

from bridge.backoff import Backoff


def test_backoff_delays_double_within_half_to_full_of_each_step_when_failures_repeat() -> None:
    backoff = Backoff(initial_s=1.0, maximum_s=100.0, factor=2.0, rng=random.Random(7))

    delays = [backoff.next_delay() for _ in range(6)]

    for attempt, delay in enumerate(delays):
        ceiling = 2.0**attempt
        assert ceiling / 2 <= delay <= ceiling


def test_backoff_never_waits_longer_than_its_maximum_when_failures_go_on() -> None:
    backoff = Backoff(initial_s=0.5, maximum_s=8.0, rng=random.Random(1))

    delays = [backoff.next_delay() for _ in range(40)]

    assert max(delays) <= 8.0
    assert min(delays[10:]) >= 4.0


def test_backoff_spreads_bridges_apart_when_they_fail_at_the_same_moment() -> None:
    delays = {round(Backoff(rng=random.Random(seed)).next_delay(), 6) for seed in range(20)}

    assert len(delays) > 15


def test_backoff_starts_over_when_reset_after_a_stable_connection() -> None:
    backoff = Backoff(initial_s=1.0, maximum_s=60.0, rng=random.Random(3))
    for _ in range(5):
        backoff.next_delay()

    backoff.reset()

    assert backoff.next_delay() <= 1.0


async def test_backoff_wait_returns_at_once_when_the_bridge_is_stopping() -> None:
    backoff = Backoff(initial_s=30.0, maximum_s=30.0)
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(0.05, stop.set)

    carry_on = await asyncio.wait_for(backoff.wait(stop), 2.0)

    assert carry_on is False


def test_backoff_refuses_a_maximum_below_its_first_delay() -> None:
    with pytest.raises(ValueError, match="initial <= maximum"):
        Backoff(initial_s=5.0, maximum_s=1.0)
