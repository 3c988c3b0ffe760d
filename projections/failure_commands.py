"""`wattlog project --failures` and `--retry-failed [NAME]`: the set-aside events, for operators.

The list goes to stdout, one tab-separated line per event (projection, notification id,
session, topic, attempts, first failed, last retried, reason). A retry re-applies each
projection's set-aside events in notification order; it exits 1, with one line per event
on stderr, when any still fails (their rows stay, with the latest reason).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import psycopg
from eventsourcing.persistence import PersistenceError

from adapters.eventstore import WattlogStore
from adapters.settings import Settings
from projections import failures
from projections.registry import build_projection
from projections.runner import ProjectionRunner

ALL = "all"


def list_failures(settings: Settings) -> int:
    try:
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            found = failures.listed(conn)
    except (psycopg.Error, PersistenceError) as error:
        return _database_error(error)
    print("projection\tnotification_id\tsession\ttopic\tattempts\tfailed_at\tretried_at\terror")
    for f in found:
        print(
            "\t".join(
                str(v) if v is not None else "-"
                for v in (
                    f.projection,
                    f.notification_id,
                    f.originator_id,
                    f.topic,
                    f.attempts,
                    f.failed_at.isoformat(),
                    f.retried_at.isoformat() if f.retried_at else None,
                    f.error,
                )
            )
        )
    print(f"{len(found)} event(s) set aside", file=sys.stderr)
    return 0


def retry_failed(settings: Settings, names: Sequence[str]) -> int:
    try:
        return _retry(settings, names)
    except (psycopg.Error, PersistenceError) as error:
        return _database_error(error)


def _database_error(error: Exception) -> int:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
    print(f"wattlog project: database error: {first_line}", file=sys.stderr)
    return 1


def _retry(settings: Settings, names: Sequence[str]) -> int:
    store = WattlogStore(settings)
    failing = 0
    try:
        for name in names:  # in dependency order: summaries reads what samples wrote
            runner = ProjectionRunner(store, build_projection(name), settings.database_url)
            try:
                result = runner.retry_failed()
            finally:
                runner.close()
            print(
                f"{name}: {len(result.projected)} projected,"
                f" {len(result.still_failing)} still failing",
                file=sys.stderr,
            )
            for f in result.still_failing:
                print(
                    f"wattlog project: {name} event {f.notification_id} (session"
                    f" {f.originator_id}) still fails: {f.reason}",
                    file=sys.stderr,
                )
            failing += len(result.still_failing)
    finally:
        store.close()
    return 1 if failing else 0
