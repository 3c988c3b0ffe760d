"""`GET /api/sessions/{id}/events`: catching up after a dropped socket, and paging a ride."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from aiohttp import test_utils
from replay_harness import new_client_id, register, write_ride

from adapters.services.ownership_index import IndexedStore
from domain.sessions import WorkoutSession


async def _get(client: test_utils.TestClient[Any, Any], path: str, headers: Any) -> Any:
    async with client.get(path, headers=headers) as response:
        return response.status, await response.json()


async def test_events_after_a_commit_time_are_what_a_dropped_socket_missed(
    client: test_utils.TestClient[Any, Any], indexed_store: IndexedStore
) -> None:
    rider = await register(client)
    client_id = new_client_id()
    session = WorkoutSession.start(
        athlete_id=uuid.uuid4(), owner_id=rider.id, client_id=client_id, ftp_w=250
    )
    t0 = time.time()
    for seq in range(10):
        session.record_sample(client_id, seq, t0 + seq, "trainer", "2ad2", b"", {"power_w": 150})
    indexed_store.save(session)
    await asyncio.sleep(0.05)
    dropped_at = time.time()
    await asyncio.sleep(0.05)
    for seq in range(10, 15):
        session.record_sample(client_id, seq, t0 + seq, "trainer", "2ad2", b"", {"power_w": 250})
    session.issue_command(uuid.uuid4(), "target_power", 250, rider.id)
    session.finish()
    indexed_store.save(session)

    status, body = await _get(
        client, f"/api/sessions/{session.id}/events?after_at={dropped_at}", rider.headers
    )
    assert status == 200
    assert [e["seq"] for e in body["events"] if e["kind"] == "sample"] == [10, 11, 12, 13, 14]
    assert [e["value"] for e in body["events"] if e["kind"] == "command"] == [250]
    assert body["truncated"] is False
    assert all("ride_t" in e for e in body["events"])

    status, body = await _get(
        client, f"/api/sessions/{session.id}/events?after_at={dropped_at}&limit=2", rider.headers
    )
    assert [e.get("seq") for e in body["events"]] == [None, None]  # the newest two
    assert [e.get("event") for e in body["events"]] == ["CommandIssued", "Finished"]
    assert body["truncated"] is True


async def test_events_page_through_a_ride_from_its_start(
    client: test_utils.TestClient[Any, Any], indexed_store: IndexedStore
) -> None:
    rider = await register(client)
    ride = write_ride(indexed_store, rider.id, 120)
    seqs: list[int] = []
    after: int | None = 0
    pages = 0
    while after is not None:
        status, body = await _get(
            client, f"/api/sessions/{ride.id}/events?after_version={after}&limit=50", rider.headers
        )
        assert status == 200
        seqs += [e["seq"] for e in body["events"] if e["kind"] == "sample"]
        after = body["next_after_version"]
        pages += 1
    assert seqs == list(range(120))
    assert pages == 3  # 122 events: Started, 120 samples, Finished

    status, body = await _get(
        client, f"/api/sessions/{ride.id}/events?kind=status&limit=1000", rider.headers
    )
    assert [e["event"] for e in body["events"]] == ["Started", "Finished"]


async def test_events_of_another_users_ride_are_not_found(
    client: test_utils.TestClient[Any, Any], indexed_store: IndexedStore
) -> None:
    owner, other = await register(client), await register(client)
    ride = write_ride(indexed_store, owner.id, 3)
    status, body = await _get(client, f"/api/sessions/{ride.id}/events", other.headers)
    assert status == 404
    assert body["error"]["code"] == "not_found"
    status, _ = await _get(client, f"/api/sessions/{ride.id}/events", {})
    assert status == 401


async def test_events_refuse_unknown_kinds_and_bad_times(
    client: test_utils.TestClient[Any, Any], indexed_store: IndexedStore
) -> None:
    rider = await register(client)
    ride = write_ride(indexed_store, rider.id, 3)
    for query in ("kind=laps", "after_at=yesterday", "after_at=nan", "limit=0"):
        status, body = await _get(client, f"/api/sessions/{ride.id}/events?{query}", rider.headers)
        assert status == 422, query
        assert body["error"]["field"] in {"kind", "after_at", "limit"}
