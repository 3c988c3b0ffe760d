"""The live socket's outbox: every message for a client that keeps up, the latest values
(bounded) for one that does not."""

from __future__ import annotations

import asyncio

from adapters.api.ws.latest import LatestBuffer
from adapters.api.ws.recent import RecentIds


async def test_a_client_that_keeps_up_gets_every_message_in_order() -> None:
    buffer = LatestBuffer(max_entries=8)
    for seq in range(5):
        buffer.put(("s1", "sample", "power"), f"p{seq}".encode())
    assert await buffer.take() == [b"p0", b"p1", b"p2", b"p3", b"p4"]


async def test_a_slow_client_gets_the_latest_value_of_each_key_not_a_backlog() -> None:
    buffer = LatestBuffer(max_entries=4)
    for seq in range(1000):
        buffer.put("power", f"power-{seq}".encode())
        buffer.put("hr", f"hr-{seq}".encode())
    waiting = await buffer.take()
    assert len(waiting) == 4
    assert b"power-999" in waiting
    assert b"hr-999" in waiting
    assert buffer.dropped == 2000 - 4


async def test_a_full_buffer_drops_repeated_keys_before_a_lone_message() -> None:
    buffer = LatestBuffer(max_entries=3)
    buffer.put("status", b"paused")
    buffer.put("power", b"200")
    buffer.put("power", b"210")
    buffer.put("power", b"220")
    assert await buffer.take() == [b"paused", b"210", b"220"]


async def test_take_waits_for_the_next_message() -> None:
    buffer = LatestBuffer()
    waiting = asyncio.ensure_future(buffer.take())
    await asyncio.sleep(0.01)
    assert not waiting.done()
    buffer.put("k", b"v")
    assert await asyncio.wait_for(waiting, 1) == [b"v"]


async def test_a_slow_reader_skips_stale_values_and_ends_on_the_latest() -> None:
    buffer = LatestBuffer(max_entries=2)
    sent: list[int] = []

    async def slow_socket() -> None:
        while not sent or sent[-1] != 199:
            for payload in await buffer.take():
                await asyncio.sleep(0.02)  # a client reading slowly
                sent.append(int(payload))

    sender = asyncio.ensure_future(slow_socket())
    for seq in range(200):
        buffer.put("power", str(seq).encode())
        await asyncio.sleep(0.001)
    await asyncio.wait_for(sender, 5)
    assert len(sent) < 100
    assert sent == sorted(sent)
    assert sent[-1] == 199


def test_an_id_is_new_only_once_within_the_memory() -> None:
    recent = RecentIds(capacity=3)
    assert [recent.first_time(n) for n in (1, 2, 1, 3, 4, 1)] == [
        True,
        True,
        False,
        True,
        True,
        True,  # 1 was forgotten after three newer ids
    ]
