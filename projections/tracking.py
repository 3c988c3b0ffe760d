"""Where each projector is in the notification log, and the lock that serialises its batches.

Positions live in the library's tracking table (`projection_tracking`, one row per projection,
written with `PostgresTrackingRecorder._insert_tracking` inside the projector's own
transaction, which refuses to move a position backwards). Every batch transaction first takes a
transaction-scoped advisory lock for its projection, so two copies of a projector, or a
projector and the swap at the end of a rebuild, never interleave their writes.
"""

from __future__ import annotations

import hashlib
from typing import Any

import psycopg
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder

from adapters.eventstore import WattlogStore

TRACKING_TABLE = "projection_tracking"
REBUILD_SUFFIX = "~rebuild"


def tracking_recorder(store: WattlogStore) -> PostgresTrackingRecorder:
    """The library's tracking recorder on the store's datastore (the table exists already)."""
    datastore = store.recorder.datastore  # type: ignore[attr-defined]
    return PostgresTrackingRecorder(datastore, tracking_table_name=TRACKING_TABLE)


def lock_key(projection: str) -> int:
    digest = hashlib.blake2b(f"wattlog.projection:{projection}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_projection(conn: psycopg.Connection[Any], projection: str) -> None:
    """Held until the end of the current transaction."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(projection),))


def read_position(conn: psycopg.Connection[Any], tracking_name: str) -> int:
    row = conn.execute(
        f"SELECT notification_id FROM public.{TRACKING_TABLE} WHERE application_name = %s",
        (tracking_name,),
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def read_generation(conn: psycopg.Connection[Any], projection: str) -> int:
    row = conn.execute(
        "SELECT generation FROM public.projection_generations WHERE name = %s", (projection,)
    ).fetchone()
    return int(row[0]) if row else 0


def record_position(
    recorder: PostgresTrackingRecorder,
    conn: psycopg.Connection[Any],
    tracking_name: str,
    notification_id: int,
) -> None:
    """Moves the position forward inside the caller's transaction (refuses to go backwards)."""
    with conn.cursor() as curs:
        recorder._insert_tracking(curs, Tracking(tracking_name, notification_id))


def replace_position(conn: psycopg.Connection[Any], tracking_name: str, position: int) -> None:
    """Sets a position outright: only the rebuild swap does this, holding the lock."""
    conn.execute(
        f"INSERT INTO public.{TRACKING_TABLE} (application_name, notification_id)"
        " VALUES (%s, %s) ON CONFLICT (application_name)"
        " DO UPDATE SET notification_id = EXCLUDED.notification_id",
        (tracking_name, position),
    )


def forget_position(conn: psycopg.Connection[Any], tracking_name: str) -> None:
    conn.execute(
        f"DELETE FROM public.{TRACKING_TABLE} WHERE application_name = %s", (tracking_name,)
    )


def bump_generation(conn: psycopg.Connection[Any], projection: str) -> None:
    conn.execute(
        "INSERT INTO public.projection_generations (name, generation, swapped_at)"
        " VALUES (%s, 1, now()) ON CONFLICT (name) DO UPDATE"
        " SET generation = projection_generations.generation + 1, swapped_at = now()",
        (projection,),
    )
