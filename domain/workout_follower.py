"""Runs each session's structured workout on the session's ride clock.

The ingest worker calls :meth:`WorkoutFollower.follow` for every session a batch touched,
after its samples and before saving: the interval engine is advanced to the session's ride
time, and its targets become the session's own commands (issued by ``WORKOUT_ISSUER``),
stored in the same transaction as the samples that moved the clock.

Engines are kept between batches (they remember what they sent). A session whose unsaved
events were dropped must be forgotten here too. A fresh engine (a restarted worker, a
shard taken over) starts with the target in force, which is not issued again when it is
the session's target in force already. The session decides what is issued
(:meth:`WorkoutSession.follow_workout`): a rider's manual target holds until the next step,
and the engine scales the targets by the session's workout intensity. A batch that spans
a step (a backlog after an outage) issues only the target in force at its end: a past
target is no use to a trainer.
Command ids derive from the session, the command, the workout time and the session's
workout control version (a target re-sent after a manual target ended is a new command).
"""

from __future__ import annotations

from uuid import UUID, uuid5

from domain.sessions import SessionStatus, WorkoutSession
from domain.workouts import (
    IntervalEngine,
    ReleaseTarget,
    SetTargetPower,
    ShowTextCue,
    Workout,
    WorkoutFinished,
)

# Leaving ERG mode (a free-ride step, the end of the workout): simulation on a flat road.
RELEASED = ("slope", 0.0)


class WorkoutFollower:
    def __init__(self) -> None:
        self._engines: dict[UUID, IntervalEngine] = {}
        # The session's workout_control_version each engine was last brought in line with.
        self._synced: dict[UUID, int] = {}

    def follow(self, session: WorkoutSession) -> None:
        """Issue what the workout asks for at the session's ride time."""
        if not session.has_workout or session.status != SessionStatus.RUNNING:
            return
        engine = self._engines.get(session.id)
        if engine is None:
            workout = Workout.from_dict(session.workout or {})
            engine = self._engines[session.id] = IntervalEngine(workout, session.ftp_w)
        if self._synced.get(session.id) != session.workout_control_version:
            # A manual target began or ended, or the intensity changed: start again from
            # the target in force (the session leaves it out while a manual target holds).
            engine.set_intensity(session.intensity_pct)
            engine.resend()
            self._synced[session.id] = session.workout_control_version
        for action in engine.advance(session.ride_time_s):
            if isinstance(action, ShowTextCue):
                continue  # text cues are for a screen, not for the trainer
            kind, value = _command_for(action)
            step_index = None if isinstance(action, WorkoutFinished) else action.step_index
            key = f"workout:{kind}:{action.at_s:.3f}"
            if session.workout_control_version:  # ids of sessions without one stay as they were
                key += f":{session.workout_control_version}"
            command_id = uuid5(session.id, key)
            session.follow_workout(command_id, kind, value, step_index)

    def forget(self, session_id: UUID) -> None:
        self._engines.pop(session_id, None)
        self._synced.pop(session_id, None)

    def __len__(self) -> int:
        return len(self._engines)


def _command_for(action: SetTargetPower | ReleaseTarget | WorkoutFinished) -> tuple[str, float]:
    if isinstance(action, SetTargetPower):
        return "target_power", float(action.watts)
    return RELEASED
