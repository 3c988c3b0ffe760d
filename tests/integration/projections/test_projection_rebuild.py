"""A rebuild from the first event gives the same read models, and the live projector goes
on with the swapped-in tables."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import psycopg
from projection_helpers import catch_up, expected_series, ride_readings, snapshot, write_ride

from adapters.eventstore import WattlogStore
from adapters.settings import Settings
from projections.rebuild import rebuild
from projections.registry import build_projection
from projections.runner import ProjectionRunner


def test_rebuild_gives_identical_read_models_and_live_projector_follows_the_swap(
    store: WattlogStore, settings: Settings
) -> None:
    athlete_id = uuid4()
    for day in range(3):
        readings = ride_readings(1_690_000_000.0 + day * 86_400, 400, seed=day)
        write_ride(store, readings, athlete_id=athlete_id, chunk=300)
    write_ride(store, ride_readings(1_690_400_000.0, 300), finish=False)  # still running
    live = ProjectionRunner(
        store, build_projection("samples"), settings.database_url, batch_size=700
    )
    live.catch_up()
    catch_up(store, settings, batch_size=700)
    before = snapshot(settings)

    for name in ("samples", "summaries"):
        rebuild(settings, name, batch_size=1500)
    assert snapshot(settings) == before

    # The live runner cached things about the old tables; it must notice the swap.
    later_readings = ride_readings(1_690_500_000.0, 300)
    later = write_ride(store, later_readings, athlete_id=athlete_id)
    _, later_series = expected_series(later_readings)
    live.catch_up()
    live.close()
    catch_up(store, settings)
    with psycopg.connect(settings.database_url) as db:
        rows = db.execute("SELECT count(*) FROM samples WHERE session_id = %s", (later,))
        assert rows.fetchone() == (sum(later_series.recorded),)
        leftovers = db.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rebuild_%%'"
            " OR nspname LIKE 'replaced_%%'"
        ).fetchall()
        assert leftovers == []
        tracking: Any = db.execute(
            "SELECT application_name FROM projection_tracking WHERE application_name LIKE '%%~%%'"
        ).fetchall()
        assert tracking == []
