"""Interval engine: turns workout time into ERG target commands and due text cues.

A pure state machine with no clock of its own: the caller passes the workout time, which
excludes pauses, so pausing is simply not advancing (or advancing to the same time).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, TypeAlias

from domain.workouts.errors import EngineError
from domain.workouts.model import Workout

DEFAULT_RAMP_UPDATE_INTERVAL_S: Final = 1.0


@dataclass(frozen=True, slots=True)
class SetTargetPower:
    """Put the trainer in ERG mode at ``watts`` (decided at workout time ``at_s``)."""

    at_s: float
    watts: int
    step_index: int


@dataclass(frozen=True, slots=True)
class ReleaseTarget:
    """A freeride step began: leave ERG mode, the rider chooses the power."""

    at_s: float
    step_index: int


@dataclass(frozen=True, slots=True)
class ShowTextCue:
    """Show ``message``; ``at_s`` is when it was scheduled, which may be before the advance
    that emitted it."""

    at_s: float
    message: str
    duration_s: float


@dataclass(frozen=True, slots=True)
class WorkoutFinished:
    """The last step ended at ``at_s``; what the trainer does next is the caller's choice."""

    at_s: float


EngineAction: TypeAlias = SetTargetPower | ReleaseTarget | ShowTextCue | WorkoutFinished
TargetCommand: TypeAlias = SetTargetPower | ReleaseTarget


class IntervalEngine:
    """Follows a workout for one rider's FTP.

    Target rules: watts are rounded half up; a command is emitted only when the rounded target
    differs from the last one sent; within one step (a ramp) commands are at least
    ``ramp_update_interval_s`` of workout time apart, while a new step is commanded at once.
    """

    def __init__(
        self,
        workout: Workout,
        ftp_w: float,
        *,
        ramp_update_interval_s: float = DEFAULT_RAMP_UPDATE_INTERVAL_S,
    ) -> None:
        if isinstance(ftp_w, bool) or not math.isfinite(ftp_w) or ftp_w <= 0:
            raise EngineError(f"ftp_w must be a positive number of watts, got {ftp_w!r}")
        if not math.isfinite(ramp_update_interval_s) or ramp_update_interval_s <= 0:
            raise EngineError(f"ramp_update_interval_s must be > 0, got {ramp_update_interval_s!r}")
        self._workout = workout
        self._ftp_w = ftp_w
        self._intensity = 1.0
        self._ramp_update_interval_s = ramp_update_interval_s
        self._elapsed_s: float | None = None
        self._next_cue_index = 0
        self._last_command: TargetCommand | None = None
        self._finished = False

    @property
    def elapsed_s(self) -> float | None:
        """Workout time of the latest advance, ``None`` before the first one."""
        return self._elapsed_s

    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def last_command(self) -> TargetCommand | None:
        """The command now in force, e.g. to re-send after the trainer reconnects."""
        return self._last_command

    @property
    def intensity_pct(self) -> float:
        return self._intensity * 100

    def set_intensity(self, percent: float) -> None:
        """Scale every target to ``percent`` of the workout's; the next advance sends the
        scaled target in force."""
        if isinstance(percent, bool) or not math.isfinite(percent) or percent <= 0:
            raise EngineError(f"intensity must be a positive percent, got {percent!r}")
        if percent / 100 != self._intensity:
            self._intensity = percent / 100
            self._last_command = None

    def resend(self) -> None:
        """Forget what was sent: the next advance sends the target in force again (after a
        rider's own target ended, the workout takes the trainer back)."""
        self._last_command = None

    def advance(self, elapsed_s: float) -> list[EngineAction]:
        """Move to workout time ``elapsed_s`` and return what must happen now, in order:
        the target command (if any), the cues that became due, then ``WorkoutFinished``."""
        if isinstance(elapsed_s, bool) or not math.isfinite(elapsed_s) or elapsed_s < 0:
            raise EngineError(f"elapsed_s must be a finite number >= 0, got {elapsed_s!r}")
        if self._elapsed_s is not None and elapsed_s < self._elapsed_s:
            raise EngineError(f"elapsed_s went backwards from {self._elapsed_s} s to {elapsed_s} s")
        self._elapsed_s = elapsed_s
        if self._finished:
            return []
        actions: list[EngineAction] = []
        total_s = self._workout.total_duration_s
        if elapsed_s < total_s:
            command = self._command_at(elapsed_s)
            if command is not None:
                self._last_command = command
                actions.append(command)
        actions.extend(self._cues_due(elapsed_s))
        if elapsed_s >= total_s:
            self._finished = True
            actions.append(WorkoutFinished(at_s=total_s))
        return actions

    def _command_at(self, t_s: float) -> TargetCommand | None:
        index = self._workout.step_index_at(t_s)
        if index is None:
            return None
        target = self._workout.steps[index].target_at(t_s, self._ftp_w)
        last = self._last_command
        if target is None:
            return None if isinstance(last, ReleaseTarget) else ReleaseTarget(t_s, index)
        watts = math.floor(target * self._intensity + 0.5)
        if not isinstance(last, SetTargetPower):
            return SetTargetPower(t_s, watts, index)
        if watts == last.watts:
            return None
        same_step = index == last.step_index
        if same_step and t_s - last.at_s < self._ramp_update_interval_s:
            return None
        return SetTargetPower(t_s, watts, index)

    def _cues_due(self, t_s: float) -> list[ShowTextCue]:
        cues = self._workout.text_cues
        total_s = self._workout.total_duration_s
        due: list[ShowTextCue] = []
        while self._next_cue_index < len(cues):
            cue = cues[self._next_cue_index]
            if cue.at_s > t_s or cue.at_s >= total_s:
                break
            due.append(ShowTextCue(cue.at_s, cue.message, cue.duration_s))
            self._next_cue_index += 1
        return due
