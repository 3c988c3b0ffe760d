"""The projectors (and the ingest worker feeding them) go on by themselves after
PostgreSQL dropped every connection: nothing is projected twice, nothing is missed."""

from __future__ import annotations

from typing import Any

import psycopg
from broker_admin import terminate_backends
from pipeline_helpers import eventually, running, sample_envelope

from adapters.settings import Settings
from adapters.simulation.publisher import EnvelopePublisher
from domain.sessions import WorkoutSession
from projections import main as projector_main


def projected_seconds(settings: Settings, session: WorkoutSession) -> int:
    # A connection per look: the test's own connections are terminated too.
    with psycopg.connect(settings.database_url) as db:
        row: Any = db.execute(
            "SELECT count(*) FROM samples WHERE session_id = %s", (session.id,)
        ).fetchone()
    return int(row[0])


async def test_the_projectors_go_on_after_their_database_connections_are_terminated(
    settings: Settings,
    running_session: WorkoutSession,
    publisher: EnvelopePublisher,
    ingest_worker: None,
) -> None:
    client = running_session.client_id
    async with running(projector_main.serve, settings):
        # 100 s of trainer data at 4 Hz, then the same again after the connections died.
        for first in range(0, 400, 100):
            await publisher.publish(sample_envelope(client, range(first, first + 100)))
        await eventually(lambda: projected_seconds(settings, running_session) == 100)

        assert terminate_backends(settings.database_name) > 0

        for first in range(400, 800, 100):
            await publisher.publish(sample_envelope(client, range(first, first + 100)))
        await eventually(lambda: projected_seconds(settings, running_session) == 200, 60)
