"""Structured workouts: the model, file parsers (.zwo, .erg, .mrc) and the interval engine."""

from __future__ import annotations

import dataclasses
from pathlib import PureWindowsPath
from typing import Final, Protocol

from domain.workouts.engine import (
    EngineAction,
    IntervalEngine,
    ReleaseTarget,
    SetTargetPower,
    ShowTextCue,
    WorkoutFinished,
)
from domain.workouts.erg import parse_erg, parse_mrc
from domain.workouts.errors import (
    EngineError,
    InvalidWorkoutError,
    WorkoutError,
    WorkoutFileError,
)
from domain.workouts.model import PowerUnit, Step, StepKind, TextCue, Workout
from domain.workouts.zwo import parse_zwo

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "EngineAction",
    "EngineError",
    "IntervalEngine",
    "InvalidWorkoutError",
    "PowerUnit",
    "ReleaseTarget",
    "SetTargetPower",
    "ShowTextCue",
    "Step",
    "StepKind",
    "TextCue",
    "Workout",
    "WorkoutError",
    "WorkoutFileError",
    "WorkoutFinished",
    "parse_erg",
    "parse_mrc",
    "parse_workout",
    "parse_zwo",
]


class _WorkoutParser(Protocol):
    def __call__(self, data: bytes, *, source: str) -> Workout: ...


_PARSERS: Final[dict[str, _WorkoutParser]] = {
    ".zwo": parse_zwo,
    ".erg": parse_erg,
    ".mrc": parse_mrc,
}
SUPPORTED_EXTENSIONS: Final = tuple(_PARSERS)


def parse_workout(filename: str, data: bytes) -> Workout:
    """Parse an uploaded workout file, choosing the format by its extension (case-insensitive).

    Error messages name the file by its base name only. A workout without a name of its own is
    named after the file.
    """
    # PureWindowsPath splits on both / and \, whichever OS the upload came from.
    path = PureWindowsPath(filename)
    source = path.name or filename
    parser = _PARSERS.get(path.suffix.lower())
    if parser is None:
        raise WorkoutFileError(
            source,
            f"unsupported file type {path.suffix or '(no extension)'!r}; "
            f"expected one of {', '.join(SUPPORTED_EXTENSIONS)}",
        )
    workout = parser(data, source=source)
    if not workout.name:
        workout = dataclasses.replace(workout, name=path.stem)
    return workout
