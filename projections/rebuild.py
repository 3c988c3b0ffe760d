"""`wattlog project --rebuild NAME`: rebuild a projection from the first event, aside.

1. Create the projection's tables in a fresh schema (`rebuild_<name>`), from its migrations.
2. Project the whole log into them under a tracking name of their own (`<name>~rebuild`),
   with a progress bar. Ingestion and the live projector go on; reads see the live tables.
3. Swap, in one transaction: take the live projector's lock (it pauses between two batches),
   project the last events, move the live relations out and the rebuilt ones in, give the
   live tracking row the rebuilt position, replace the live projection's set-aside events
   with the rebuild's (it examined every event), and bump the projection's generation (so
   the live projector forgets what it cached). Readers see the old tables or the new, never
   a mix.
4. Drop the old tables.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from adapters.eventstore import WattlogStore
from adapters.progress import ProgressBar
from adapters.settings import Settings
from projections import failures, schemas, tracking
from projections.base import ProjectionError
from projections.registry import build_projection
from projections.runner import DEFAULT_BATCH_SIZE, ProjectionRunner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RebuildResult:
    projection: str
    position: int
    migrations: tuple[str, ...]


def rebuild(
    settings: Settings,
    name: str,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressBar | None = None,
) -> RebuildResult:
    projection = build_projection(name)
    schema = schemas.rebuild_schema(name)
    store = WattlogStore(settings)
    runner = ProjectionRunner(
        store,
        projection,
        settings.database_url,
        batch_size=batch_size,
        tracking_name=name + tracking.REBUILD_SUFFIX,
        search_path=f"{schema}, public",
    )
    try:
        conn = runner.connection()
        tracking.forget_position(conn, runner.tracking_name)
        failures.forget(conn, runner.tracking_name)
        migrations = schemas.create_copy(conn, name, schema)
        runner.close()
        log.info("rebuild started", extra={"projection": name, "schema": schema})
        while runner.run_batch():
            if progress is not None:
                progress.update(runner.position, runner.head())
        conn = runner.connection()
        with conn.transaction():
            tracking.lock_projection(conn, name)
            while runner.run_batch():
                pass
            live_position = tracking.read_position(conn, name)
            if runner.position < live_position:
                raise ProjectionError(
                    f"rebuild of {name} stopped at {runner.position},"
                    f" behind the live projection at {live_position}"
                )
            schemas.swap_in(conn, name, schema)
            tracking.replace_position(conn, name, runner.position)
            failures.replace(conn, name, runner.tracking_name)
            tracking.forget_position(conn, runner.tracking_name)
            tracking.bump_generation(conn, name)
        schemas.drop_schema(conn, schemas.graveyard_schema(name))
        schemas.drop_schema(conn, schema)
        if progress is not None:
            progress.update(runner.position, runner.position)
            progress.finish()
        log.info("rebuild swapped in", extra={"projection": name, "position": runner.position})
        return RebuildResult(name, runner.position, tuple(migrations))
    finally:
        runner.close()
        store.close()
