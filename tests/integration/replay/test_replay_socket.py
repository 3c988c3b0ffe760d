"""`/ws/replay` against a real event store: timing, order, controls and tenancy."""

from __future__ import annotations

import time
from typing import Any

import orjson
import pytest
from aiohttp import WSMsgType, test_utils
from replay_harness import register, ticket, write_ride

from adapters.services.ownership_index import IndexedStore


async def _frames_until(ws: Any, kind: str, within_s: float = 15.0) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        message = await ws.receive(timeout=deadline - time.monotonic())
        assert message.type == WSMsgType.TEXT, message
        frames.append(orjson.loads(message.data))
        if frames[-1]["type"] == kind:
            return frames
    raise AssertionError(f"no {kind!r} frame within {within_s} s")


def _events(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event for frame in frames for event in frame.get("events", [])]


async def test_replay_plays_a_stored_ride_to_the_end_in_order_at_60x(
    client: test_utils.TestClient[Any, Any], indexed_store: IndexedStore
) -> None:
    rider = await register(client)
    ride = write_ride(indexed_store, rider.id, 120, erg_at_s=30)
    async with client.ws_connect("/ws/replay") as ws:
        await ws.send_str(
            orjson.dumps(
                {
                    "type": "auth",
                    "ticket": await ticket(client, rider),
                    "session_id": str(ride.id),
                    "speed": 60,
                    "play": True,
                }
            ).decode()
        )
        started = time.monotonic()
        frames = await _frames_until(ws, "ended")
        took = time.monotonic() - started
    ready = frames[0]
    assert ready["type"] == "ready"
    assert ready["duration_s"] == 119.0  # 120 samples a second apart
    assert frames[-1] == {"type": "ended", "position_s": ready["duration_s"]}  # same second shown
    events = _events(frames)
    seqs = [e["seq"] for e in events if e["kind"] == "sample"]
    assert seqs == list(range(120))
    commands = [e for e in events if e["kind"] == "command"]
    assert [c["value"] for c in commands] == [280]
    assert 29 <= commands[0]["ride_t"] - ready["start_t"] <= 31
    assert events[-1]["event"] == "Finished"
    assert 1.5 <= took <= 6.0, took  # 2 minutes of ride at 60x: about 2 s


async def test_replay_seek_sends_the_context_then_plays_on_from_there(
    client: test_utils.TestClient[Any, Any], indexed_store: IndexedStore
) -> None:
    rider = await register(client)
    ride = write_ride(indexed_store, rider.id, 600, erg_at_s=30)
    async with client.ws_connect("/ws/replay") as ws:
        hello = {"type": "auth", "ticket": await ticket(client, rider), "session_id": str(ride.id)}
        await ws.send_str(orjson.dumps(hello).decode())
        await _frames_until(ws, "ready")
        await ws.send_str('{"type": "seek", "position_s": 400, "context_s": 60}')
        seeked = (await _frames_until(ws, "seeked"))[-1]
        context = seeked["events"]
        assert [e["value"] for e in context if e["kind"] == "command"] == [280]
        seqs = [e["seq"] for e in context if e["kind"] == "sample"]
        assert min(seqs) >= 339 and max(seqs) <= 400
        await ws.send_str('{"type": "speed", "speed": 20}')
        await ws.send_str('{"type": "play"}')
        frames = await _frames_until(ws, "events")
        while not _events(frames):
            frames += await _frames_until(ws, "events")
        first = next(e for e in _events(frames) if e["kind"] == "sample")
        assert first["seq"] > max(seqs)
        await ws.send_str('{"type": "pause"}')
        state = (await _frames_until(ws, "state"))[-1]
        while state["playing"]:
            state = (await _frames_until(ws, "state"))[-1]
        paused_at = state["position_s"]
        with pytest.raises(TimeoutError):  # nothing is sent while paused
            await ws.receive(timeout=0.6)
        await ws.send_str('{"type": "seek", "position_s": 450, "context_s": 0}')
        after = (await _frames_until(ws, "state"))[-1]
        assert after["playing"] is False
        assert after["position_s"] == 450
        assert paused_at < 450


async def test_replay_of_another_users_ride_is_refused_with_4003(
    client: test_utils.TestClient[Any, Any], indexed_store: IndexedStore
) -> None:
    owner, other = await register(client), await register(client)
    ride = write_ride(indexed_store, owner.id, 5)
    async with client.ws_connect("/ws/replay") as ws:
        hello = {"type": "auth", "ticket": await ticket(client, other), "session_id": str(ride.id)}
        await ws.send_str(orjson.dumps(hello).decode())
        message = await ws.receive(timeout=5)
        assert message.type == WSMsgType.CLOSE
        assert message.data == 4003


async def test_replay_without_a_valid_ticket_is_closed_with_4001(
    client: test_utils.TestClient[Any, Any], indexed_store: IndexedStore
) -> None:
    owner = await register(client)
    ride = write_ride(indexed_store, owner.id, 5)
    async with client.ws_connect("/ws/replay") as ws:
        await ws.send_str(
            orjson.dumps({"type": "auth", "ticket": "forged", "session_id": str(ride.id)}).decode()
        )
        message = await ws.receive(timeout=5)
        assert message.type == WSMsgType.CLOSE
        assert message.data == 4001
