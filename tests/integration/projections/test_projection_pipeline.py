"""A ride from a bridge through ingest appears in every read model once it is finished."""

from __future__ import annotations

from typing import Any

import psycopg
from pipeline_helpers import eventually, running, sample_envelope

from adapters.analytics.lag import projection_lag
from adapters.eventstore import WattlogStore
from adapters.services.sessions import SessionService
from adapters.settings import Settings
from adapters.simulation.publisher import EnvelopePublisher
from domain.sessions import WorkoutSession
from projections import main as projector_main


def _one(db: psycopg.Connection[Any], query: str, *params: Any) -> Any:
    row = db.execute(query, params).fetchone()
    return row[0] if row else None


async def test_ride_through_the_pipeline_appears_in_every_read_model_when_finished(
    settings: Settings,
    store: WattlogStore,
    sessions: SessionService,
    running_session: WorkoutSession,
    publisher: EnvelopePublisher,
    ingest_worker: None,
) -> None:
    session_id, athlete_id = running_session.id, running_session.athlete_id
    client = running_session.client_id
    # 200 s of trainer data at 4 Hz, published as a bridge does, 100 samples per envelope.
    for first in range(0, 800, 100):
        await publisher.publish(sample_envelope(client, range(first, first + 100)))
    with psycopg.connect(settings.database_url, autocommit=True) as db:
        async with running(projector_main.serve, settings):

            def samples_projected() -> bool:
                return (
                    _one(db, "SELECT count(*) FROM samples WHERE session_id = %s", session_id)
                    == 200
                )

            await eventually(samples_projected)
            # The summaries projector follows the samples projector, a moment behind.
            await eventually(
                lambda: (
                    _one(
                        db, "SELECT status FROM session_summaries WHERE session_id = %s", session_id
                    )
                    == "running"
                )
            )
            sessions.finish(session_id)

            def summarized() -> bool:
                status = "SELECT status FROM session_summaries WHERE session_id = %s"
                return _one(db, status, session_id) == "finished"

            await eventually(summarized)
        minutes = db.execute(
            "SELECT sum(seconds), sum(work_kj) FROM minute_rollups WHERE session_id = %s",
            (session_id,),
        ).fetchone()
        work = _one(db, "SELECT sum(power_w) / 1000 FROM samples WHERE session_id = %s", session_id)
        assert minutes[0] == 200
        assert abs(minutes[1] - work) < 1e-6
        day = db.execute(
            "SELECT sessions, seconds, tss FROM daily_rollups WHERE athlete_id = %s", (athlete_id,)
        ).fetchone()
        summary = db.execute(
            "SELECT duration_s, work_kj, tss, normalized_power_w FROM session_summaries"
            " WHERE session_id = %s",
            (session_id,),
        ).fetchone()
        assert day[0] == 1 and day[1] == 200
        assert summary[0] == 200
        assert abs(summary[1] - work) < 1e-6
        assert abs(day[2] - summary[2]) < 1e-3 * summary[2]  # rollups and summary agree on TSS
        fitness = _one(db, "SELECT ctl FROM athlete_fitness WHERE athlete_id = %s", athlete_id)
        assert fitness is not None and fitness > 0
        # Its bins stay: a late sample would merge with them (docs/projections.md).
        assert _one(db, "SELECT count(*) FROM sample_bins WHERE session_id = %s", session_id) > 0
    lag = {row["projection"]: row for row in projection_lag(store)}
    assert lag["samples"]["events_behind"] == 0
    assert lag["summaries"]["events_behind"] == 0
