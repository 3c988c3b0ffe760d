"""The relay reads the events it publishes without walking the samples between them."""

from __future__ import annotations

import psycopg
from eventsourcing.utils import get_topic

from adapters.eventstore import WattlogStore
from adapters.migrations import list_migrations
from adapters.relay.relay import OTHER_THAN_SAMPLES, SAMPLE_TOPIC
from adapters.settings import Settings
from domain.events import SampleRecorded

SAMPLES = 20_000


def test_the_partial_index_leaves_out_the_topic_the_store_gives_samples() -> None:
    [migration] = [m for m in list_migrations("plain") if m.name.startswith("0290_")]
    assert f"WHERE topic <> '{get_topic(SampleRecorded)}'" in migration.sql
    assert get_topic(SampleRecorded) == SAMPLE_TOPIC


def test_the_relays_read_after_a_long_ride_uses_the_index_of_events_other_than_samples(
    settings: Settings, store: WattlogStore
) -> None:
    with psycopg.connect(settings.database_url) as conn, conn.transaction(force_rollback=True):
        # A long stretch of samples (rolled back at the end, so no other test sees them).
        conn.execute(
            "INSERT INTO wattlog_events (originator_id, originator_version, topic, state)"
            " SELECT gen_random_uuid(), 1, %s, '{}'::bytea FROM generate_series(1, %s)",
            (SAMPLE_TOPIC, SAMPLES),
        )
        conn.execute("ANALYZE wattlog_events")
        start = conn.execute("SELECT max(notification_id) - %s FROM wattlog_events", (SAMPLES,))
        position = start.fetchone()[0]  # type: ignore[index]
        plan = "\n".join(
            row[0]
            for row in conn.execute(
                b"EXPLAIN " + OTHER_THAN_SAMPLES.format(table=store.events_table).as_bytes(conn),
                (position, position + SAMPLES, SAMPLE_TOPIC, 1000),
            )
        )
    assert "wattlog_events_other_than_samples" in plan, plan
