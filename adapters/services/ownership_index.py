"""The store of the API and of `wattlog import`: a `WattlogStore` that keeps the ownership
lookup tables in step with the events it saves, inside the same transaction
(`also_execute`).

`user_athletes`, `user_bridges` and `user_sessions` answer "which resources does this user
own, and in what state" without loading aggregates. Each row is derived from the events
being saved, so a row can never disagree with the event log: both commit or neither does.
The events that change these rows (profiles, registrations, session starts and status
changes) are only ever saved through this store: by the API, and by `wattlog import`
(adapters/importers/command.py) for imported rides. The ingest worker appends samples and
command results, which the index does not mirror.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from eventsourcing.persistence import Recording

from adapters.eventstore import WattlogStore
from adapters.sessions.routing import Statement
from domain.athletes import Athlete
from domain.bridges import BridgeClient
from domain.sessions import SessionStatus, WorkoutSession


def _athlete_created(e: Any) -> Statement:
    return (
        "INSERT INTO user_athletes (athlete_id, owner_id, name, created_at)"
        " VALUES (%s, %s, %s, %s) ON CONFLICT (athlete_id) DO NOTHING",
        (e.originator_id, e.owner_id, e.name, e.timestamp),
    )


def _athlete_renamed(e: Any) -> Statement:
    return ("UPDATE user_athletes SET name = %s WHERE athlete_id = %s", (e.name, e.originator_id))


def _bridge_registered(e: Any) -> Statement:
    return (
        "INSERT INTO user_bridges (bridge_id, owner_id, name, kind, registered_at)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (bridge_id) DO NOTHING",
        (e.originator_id, e.owner_id, e.name, e.kind, e.timestamp),
    )


def _bridge_renamed(e: Any) -> Statement:
    return ("UPDATE user_bridges SET name = %s WHERE bridge_id = %s", (e.name, e.originator_id))


def _bridge_revoked(e: Any) -> Statement:
    return (
        "UPDATE user_bridges SET revoked_at = %s WHERE bridge_id = %s",
        (e.timestamp, e.originator_id),
    )


def _session_started(e: Any) -> Statement:
    return (
        "INSERT INTO user_sessions (session_id, owner_id, athlete_id, client_id, transport,"
        " status, started_at) VALUES (%s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (session_id) DO NOTHING",
        (
            e.originator_id,
            e.owner_id,
            e.athlete_id,
            e.client_id,
            e.transport,
            SessionStatus.RUNNING.value,
            e.timestamp,
        ),
    )


def _session_status(status: SessionStatus, ended: bool) -> Callable[[Any], Statement]:
    def statement(e: Any) -> Statement:
        return (
            "UPDATE user_sessions SET status = %s, ended_at = %s WHERE session_id = %s",
            (status.value, e.timestamp if ended else None, e.originator_id),
        )

    return statement


def _transport_switched(e: Any) -> Statement:
    return (
        "UPDATE user_sessions SET client_id = %s, transport = %s WHERE session_id = %s",
        (e.to_client_id, e.to_transport, e.originator_id),
    )


def _event(aggregate: type[Any], name: str) -> type[Any]:
    # The event classes are made by the library from the @event names at class creation.
    event_class: type[Any] = getattr(aggregate, name)
    return event_class


INDEXERS: dict[type[Any], Callable[[Any], Statement]] = {
    _event(Athlete, "Created"): _athlete_created,
    _event(Athlete, "Renamed"): _athlete_renamed,
    _event(BridgeClient, "Registered"): _bridge_registered,
    _event(BridgeClient, "Renamed"): _bridge_renamed,
    _event(BridgeClient, "Revoked"): _bridge_revoked,
    _event(WorkoutSession, "Started"): _session_started,
    _event(WorkoutSession, "Paused"): _session_status(SessionStatus.PAUSED, ended=False),
    _event(WorkoutSession, "Resumed"): _session_status(SessionStatus.RUNNING, ended=False),
    _event(WorkoutSession, "Finished"): _session_status(SessionStatus.FINISHED, ended=True),
    _event(WorkoutSession, "Discarded"): _session_status(SessionStatus.DISCARDED, ended=True),
    _event(WorkoutSession, "TransportSwitched"): _transport_switched,
}


def index_statements(events: Iterable[Any]) -> list[Statement]:
    """The lookup-table statements that mirror these events, in event order."""
    return [INDEXERS[type(event)](event) for event in events if type(event) in INDEXERS]


class IndexedStore(WattlogStore):
    # The library names an application's tables after its class unless told otherwise.
    name = WattlogStore.name

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[Any]]:
        pending = [event for obj in objs for event in getattr(obj, "pending_events", ())]
        statements = index_statements(pending)
        if statements:
            kwargs["also_execute"] = [*kwargs.get("also_execute", ()), *statements]
        return super().save(*objs, **kwargs)
