"""How far behind the event log each projection is: events and seconds (for /metrics),
and how many events each one set aside because it could not project them.

Seconds behind is the age of the oldest event a projection has not applied yet (0 when it
has applied everything), so a projection that is caught up reads 0 however quiet the log is.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from adapters.eventstore import WattlogStore

PROJECTIONS: tuple[str, ...] = ("samples", "summaries")


def lag_at(store: WattlogStore, position: int, head: int | None = None) -> tuple[int, float]:
    """(events behind, seconds behind) for a projection at ``position``."""
    head = store.recorder.max_notification_id() or 0 if head is None else head
    behind = max(0, head - position)
    if behind == 0:
        return 0, 0.0
    oldest = store.recorder.select_notifications(start=position, limit=1, inclusive_of_start=False)
    if not oldest:
        return behind, 0.0
    event: Any = store.mapper.to_domain_event(oldest[0])
    return behind, max(0.0, time.time() - event.timestamp.timestamp())


def projection_lag(store: WattlogStore, names: Iterable[str] = PROJECTIONS) -> list[dict[str, Any]]:
    """One dict per projection: name, position, head, events_behind, seconds_behind."""
    head = store.recorder.max_notification_id() or 0
    with store.recorder.datastore.get_connection() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(
            "SELECT application_name, notification_id FROM projection_tracking"
            " WHERE application_name <> '__migration__'"
        ).fetchall()
    positions = {row["application_name"]: int(row["notification_id"] or 0) for row in rows}
    report = []
    for name in dict.fromkeys([*names, *positions]):
        position = positions.get(name, 0)
        events_behind, seconds_behind = lag_at(store, position, head)
        report.append(
            {
                "projection": name,
                "position": position,
                "head": head,
                "events_behind": events_behind,
                "seconds_behind": round(seconds_behind, 3),
            }
        )
    return report


# Events each projection set aside (projections/failures.py); the API reads it at scrape time.
FAILURE_COUNTS_SQL = (
    "SELECT projection, count(*) FROM public.projection_failures"
    " GROUP BY projection ORDER BY projection"
)


def failure_counts(rows: Iterable[Any], names: Iterable[str] = PROJECTIONS) -> dict[str, int]:
    """``FAILURE_COUNTS_SQL``'s rows as a dict, with every name in ``names`` (0 if none)."""
    found = dict.fromkeys(names, 0)
    for name, count in rows:
        found[str(name)] = int(count)
    return found


def projection_failures(store: WattlogStore) -> dict[str, int]:
    """Events set aside per projection, because the projection could not project them."""
    with store.recorder.datastore.get_connection() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(FAILURE_COUNTS_SQL).fetchall()
    return failure_counts((row["projection"], row["count"]) for row in rows)
