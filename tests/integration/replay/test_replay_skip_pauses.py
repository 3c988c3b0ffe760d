"""`/ws/replay` on a ride with a long stop: with `skip_pauses` the silence is jumped over
(the ride after the stop arrives at once, in order); the state frames say so."""

from __future__ import annotations

import time
import uuid
from typing import Any

import orjson
from aiohttp import WSMsgType, test_utils
from replay_harness import new_client_id, register, ticket

from adapters.services.ownership_index import IndexedStore
from domain.sessions import WorkoutSession

STOP_S = 3_000  # at 10x, 5 minutes of silence if it were played


def _ride_with_a_stop(store: IndexedStore, owner: uuid.UUID) -> WorkoutSession:
    client_id = new_client_id()
    session = WorkoutSession.start(
        athlete_id=uuid.uuid4(), owner_id=owner, client_id=client_id, ftp_w=250
    )
    t0 = float(int(time.time()) - STOP_S - 100)
    seconds = [*range(10), *range(10 + STOP_S, 20 + STOP_S)]
    for seq, second in enumerate(seconds):
        session.record_sample(client_id, seq, t0 + second, "trainer", "2ad2", b"", {"power_w": 200})
    session.finish()
    store.save(session)
    return session


async def _frames_until_ended(ws: Any) -> list[dict[str, Any]]:
    """Frames up to `ended`; a receive waits 30 s at most (an unskipped stop takes 300 s)."""
    frames: list[dict[str, Any]] = []
    while not frames or frames[-1]["type"] != "ended":
        message = await ws.receive(timeout=30)
        assert message.type == WSMsgType.TEXT, message
        frames.append(orjson.loads(message.data))
    return frames


async def test_skipping_pauses_replays_the_ride_after_a_long_stop_without_its_silence(
    client: test_utils.TestClient[Any, Any], indexed_store: IndexedStore
) -> None:
    rider = await register(client)
    ride = _ride_with_a_stop(indexed_store, rider.id)
    async with client.ws_connect("/ws/replay") as ws:
        hello = {
            "type": "auth",
            "ticket": await ticket(client, rider),
            "session_id": str(ride.id),
            "speed": 10,
            "play": True,
            "skip_pauses": True,
        }
        await ws.send_str(orjson.dumps(hello).decode())
        frames = await _frames_until_ended(ws)

    states = [f for f in frames if f["type"] == "state"]
    assert states[0]["skip_pauses"] is True
    seqs = [e["seq"] for f in frames for e in f.get("events", []) if e["kind"] == "sample"]
    assert seqs == list(range(20))
    assert frames[-1]["position_s"] >= STOP_S + 19  # positions stay on the ride's clock
