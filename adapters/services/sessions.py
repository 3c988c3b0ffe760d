"""Use cases on sessions: start, commands, laps, pause/resume, transport switch, finish.

Each call loads the aggregate fresh, lets it decide, and saves. Another process (the
ingest worker) appends to the same session all the time, so a save can lose the race for
the next version: then the call is simply repeated on a freshly loaded aggregate (the
one load-check-retry helper, adapters/services/conflicts.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

from adapters.eventstore import WattlogStore
from adapters.services.conflicts import change, load
from adapters.sessions.routing import (
    Statement,
    end_session,
    join_session,
    route_client,
    unroute_session,
)
from domain.sessions import WorkoutSession


class SessionService:
    def __init__(self, store: WattlogStore) -> None:
        self._store = store

    def start(
        self,
        *,
        athlete_id: UUID,
        owner_id: UUID,
        client_id: str,
        ftp_w: int,
        transport: str = "desktop",
        workout: dict[str, Any] | None = None,
    ) -> WorkoutSession:
        session = WorkoutSession.start(
            athlete_id=athlete_id,
            owner_id=owner_id,
            client_id=client_id,
            ftp_w=ftp_w,
            transport=transport,
            workout=workout,
            session_id=uuid4(),
        )
        self._store.save(
            session,
            also_execute=[
                route_client(client_id, session.id, owner_id, athlete_id),
                join_session(client_id, session.id, owner_id, athlete_id, session.started_at),
            ],
        )
        return session

    def get(self, session_id: UUID) -> WorkoutSession:
        return load(self._store, session_id, WorkoutSession)

    def issue_command(
        self, session_id: UUID, command_id: UUID, kind: str, value: float | None, issued_by: UUID
    ) -> WorkoutSession:
        return self._change(
            session_id, lambda s: s.issue_command(command_id, kind, value, issued_by)
        )

    def resume_workout(self, session_id: UUID) -> WorkoutSession:
        return self._change(session_id, lambda s: s.resume_workout())

    def change_workout_intensity(self, session_id: UUID, percent: int) -> WorkoutSession:
        return self._change(session_id, lambda s: s.change_workout_intensity(percent))

    def mark_lap(self, session_id: UUID) -> WorkoutSession:
        return self._change(session_id, lambda s: s.mark_lap())

    def pause(self, session_id: UUID) -> WorkoutSession:
        return self._change(session_id, lambda s: s.pause())

    def resume(self, session_id: UUID) -> WorkoutSession:
        return self._change(session_id, lambda s: s.resume())

    def switch_transport(self, session_id: UUID, transport: str, client_id: str) -> WorkoutSession:
        def switch(session: WorkoutSession) -> list[Statement]:
            session.switch_transport(transport, client_id)
            owner_id, athlete_id = session.owner_id, session.athlete_id
            return [
                route_client(client_id, session.id, owner_id, athlete_id),
                join_session(client_id, session.id, owner_id, athlete_id, session.started_at),
            ]

        return self._change(session_id, switch)

    def finish(self, session_id: UUID) -> WorkoutSession:
        def finish(session: WorkoutSession) -> list[Statement]:
            session.finish()
            return [unroute_session(session.id), _ended(session)]

        return self._change(session_id, finish)

    def discard(self, session_id: UUID, reason: str) -> WorkoutSession:
        def discard(session: WorkoutSession) -> list[Statement]:
            session.discard(reason)
            return [unroute_session(session.id), _ended(session)]

        return self._change(session_id, discard)

    def _change(
        self, session_id: UUID, decide: Callable[[WorkoutSession], object]
    ) -> WorkoutSession:
        return change(self._store, session_id, WorkoutSession, decide, what="session change")


def _ended(session: WorkoutSession) -> Statement:
    return end_session(session.id, session.status.value, session.ended_at)
