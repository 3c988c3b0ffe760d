"""An imported FIT file's laps, sport, sub-sport and device, as the API gives them to the ride
page: the Edge 810 file holds 8 laps, so 7 lap marks at the laps' own start times."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from aiohttp import test_utils
from replay_harness import register

from adapters.importers.fit import read_fit_ride
from adapters.importers.service import import_ride
from adapters.services.ownership_index import IndexedStore

FIT = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "fit"
EDGE_810 = FIT / "Edge810-Vector-2013-08-16-15-35-10.fit"


async def _get(client: test_utils.TestClient[Any, Any], path: str, headers: Any) -> Any:
    async with client.get(path, headers=headers) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def test_an_imported_files_laps_are_marked_at_their_start_on_the_ride_clock(
    client: test_utils.TestClient[Any, Any], indexed_store: IndexedStore
) -> None:
    rider = await register(client)
    data = EDGE_810.read_bytes()
    imported = import_ride(
        indexed_store, athlete_id=uuid.uuid4(), owner_id=rider.id, ftp_w=315, data=data
    )

    events: list[dict[str, Any]] = []
    after: int | None = 0
    while after is not None:  # pages of the ride, as the ride page reads it
        path = f"/api/sessions/{imported.session_id}/events?kind=status&after_version={after}"
        body = await _get(client, path, rider.headers)
        events += body["events"]
        after = body["next_after_version"]
    laps = [e for e in events if e["event"] == "LapMarked"]
    starts = {e["event"]: e["ride_t"] for e in events if e["event"] == "Started"}
    ride = read_fit_ride(data)
    first_record_t = ride.start_time.timestamp()
    assert [e["lap_number"] for e in laps] == [1, 2, 3, 4, 5, 6, 7]
    assert [round(e["ride_t"] - first_record_t) for e in laps] == [
        1207,
        1511,
        1777,
        1907,
        3109,
        3241,
        4444,
    ]
    assert starts["Started"] == first_record_t


async def test_every_page_of_an_imported_ride_is_on_its_files_clock(
    client: test_utils.TestClient[Any, Any], indexed_store: IndexedStore
) -> None:
    rider = await register(client)
    data = EDGE_810.read_bytes()
    imported = import_ride(
        indexed_store, athlete_id=uuid.uuid4(), owner_id=rider.id, ftp_w=315, data=data
    )
    times: dict[str, list[float]] = {}
    after: int | None = 0
    while after is not None:  # small pages: most of them hold neither the start nor the end
        path = f"/api/sessions/{imported.session_id}/events?limit=1000&after_version={after}"
        body = await _get(client, path, rider.headers)
        for event in body["events"]:
            times.setdefault(event["event"], []).append(event["ride_t"])
        after = body["next_after_version"]
    first, last = min(times["SampleRecorded"]), max(times["SampleRecorded"])
    assert times["Started"] == [first]
    assert times["RecordingDescribed"] == [last]
    assert times["Finished"] == [last]
    assert all(first < t < last for t in times["LapMarked"])


async def test_an_imported_ride_says_its_sport_sub_sport_and_device(
    client: test_utils.TestClient[Any, Any], indexed_store: IndexedStore
) -> None:
    rider = await register(client)
    imported = import_ride(
        indexed_store,
        athlete_id=uuid.uuid4(),
        owner_id=rider.id,
        ftp_w=315,
        data=EDGE_810.read_bytes(),
    )

    session = await _get(client, f"/api/sessions/{imported.session_id}", rider.headers)

    assert session["lap_count"] == 7
    assert session["recording"] == {
        "sport": "cycling",
        "sub_sport": "generic",
        "device": {
            "manufacturer": "garmin",
            "product": "edge810",
            "serial_number": 3866465233,
            "software_version": 2.7,
        },
    }
