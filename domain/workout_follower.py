"""Runs each session's structured workout on the session's ride clock.

The ingest worker calls :meth:`WorkoutFollower.follow` for every session a batch touched,
after its samples and before saving: the interval engine is advanced to the session's ride
time, and its targets become the session's own commands (issued by ``WORKOUT_ISSUER``),
stored in the same transaction as the samples that moved the clock.

Engines are kept between batches (they remember what they sent). A session whose unsaved
events were dropped must be forgotten here too. A fresh engine (a restarted worker, a
shard taken over) starts with the target in force, which is not issued again when it is
the session's last workout command already. A batch that spans a step (a backlog after an
outage) issues only the target in force at its end: a past target is no use to a trainer.
Command ids derive from the session, the command and the workout time.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from domain.sessions import WORKOUT_ISSUER, SessionStatus, WorkoutSession
from domain.workouts import (
    EngineAction,
    IntervalEngine,
    ReleaseTarget,
    SetTargetPower,
    Workout,
    WorkoutFinished,
)

# Leaving ERG mode (a free-ride step, the end of the workout): simulation on a flat road.
RELEASED = ("slope", 0.0)


class WorkoutFollower:
    def __init__(self) -> None:
        self._engines: dict[UUID, IntervalEngine] = {}

    def follow(self, session: WorkoutSession) -> None:
        """Issue what the workout asks for at the session's ride time."""
        if not session.has_workout or session.status != SessionStatus.RUNNING:
            return
        engine = self._engines.get(session.id)
        if engine is None:
            workout = Workout.from_dict(session.workout or {})
            engine = self._engines[session.id] = IntervalEngine(workout, session.ftp_w)
        for action in engine.advance(session.ride_time_s):
            command = _command_for(action)
            # The engine sends only changes, but a fresh one starts with the target in force.
            if command is None or command == session.workout_command:
                continue
            kind, value = command
            command_id = uuid5(session.id, f"workout:{kind}:{action.at_s:.3f}")
            session.issue_command(command_id, kind, value, WORKOUT_ISSUER)

    def forget(self, session_id: UUID) -> None:
        self._engines.pop(session_id, None)

    def __len__(self) -> int:
        return len(self._engines)


def _command_for(action: EngineAction) -> tuple[str, float | None] | None:
    if isinstance(action, SetTargetPower):
        return "target_power", float(action.watts)
    if isinstance(action, ReleaseTarget | WorkoutFinished):
        return RELEASED
    return None  # text cues are for a screen, not for the trainer
