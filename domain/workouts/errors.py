"""Error types of the workouts package."""

from __future__ import annotations


class WorkoutError(Exception):
    """Base class of every error raised by ``domain.workouts``."""


class InvalidWorkoutError(WorkoutError, ValueError):
    """A workout, step or cue breaks a model invariant (also raised by ``Workout.from_dict``)."""


class EngineError(WorkoutError, ValueError):
    """The interval engine was driven in a way it cannot follow (e.g. time going backwards)."""


class WorkoutFileError(WorkoutError, ValueError):
    """A workout file cannot be imported.

    The message names the file, the line (and column or element when known) and what is wrong,
    e.g. ``Mayfield.zwo, line 11, <IntervalsT>: attribute OnDuration='ten' is not a number``.
    """

    def __init__(
        self,
        source: str,
        problem: str,
        *,
        line: int | None = None,
        column: int | None = None,
        element: str | None = None,
    ) -> None:
        self.source = source
        self.problem = problem
        self.line = line
        self.column = column
        self.element = element
        super().__init__(self._format())

    def _format(self) -> str:
        where = [self.source]
        if self.line is not None:
            where.append(
                f"line {self.line}"
                if self.column is None
                else f"line {self.line}, column {self.column}"
            )
        if self.element is not None:
            where.append(f"<{self.element}>")
        return f"{', '.join(where)}: {self.problem}"
