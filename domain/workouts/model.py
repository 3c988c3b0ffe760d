"""Structured workout model: steps with power targets over time, and text cues.

Targets are stored in the unit of the source file (fraction of FTP or absolute watts) and only
turned into watts when a rider's FTP is known, so one stored workout serves every FTP.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Final, Literal, TypeAlias, cast

from domain.workouts.errors import InvalidWorkoutError

StepKind: TypeAlias = Literal[
    "warmup", "steady", "ramp", "interval_on", "interval_off", "freeride", "cooldown"
]
PowerUnit: TypeAlias = Literal["ftp_fraction", "watts"]

STEP_KINDS: Final[tuple[StepKind, ...]] = (
    "warmup",
    "steady",
    "ramp",
    "interval_on",
    "interval_off",
    "freeride",
    "cooldown",
)
POWER_UNITS: Final[tuple[PowerUnit, ...]] = ("ftp_fraction", "watts")
DICT_SCHEMA_VERSION: Final = 1

# Step boundaries come from sums of decimal durations (e.g. 139.2 + 172.8 s); a microsecond of
# slack keeps float noise from breaking the contiguity invariant.
_TIME_TOLERANCE_S: Final = 1e-6


def _is_finite_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True, slots=True)
class Step:
    """One segment of a workout; power goes linearly from ``power_start`` to ``power_end``.

    ``power_start``/``power_end`` are ``None`` exactly when ``kind == "freeride"`` (no ERG target).
    """

    start_s: float
    duration_s: float
    kind: StepKind
    power_start: float | None
    power_end: float | None
    unit: PowerUnit
    cadence: int | None = None

    def __post_init__(self) -> None:
        if not _is_finite_number(self.start_s) or self.start_s < 0:
            raise InvalidWorkoutError(f"step start_s must be >= 0, got {self.start_s!r}")
        if not _is_finite_number(self.duration_s) or self.duration_s <= 0:
            raise InvalidWorkoutError(f"step duration_s must be > 0, got {self.duration_s!r}")
        if self.kind not in STEP_KINDS:
            raise InvalidWorkoutError(f"unknown step kind {self.kind!r}")
        if self.unit not in POWER_UNITS:
            raise InvalidWorkoutError(f"unknown power unit {self.unit!r}")
        powers = (self.power_start, self.power_end)
        if self.kind == "freeride":
            if powers != (None, None):
                raise InvalidWorkoutError("a freeride step has no power target")
        else:
            for power in powers:
                if not _is_finite_number(power) or cast(float, power) < 0:
                    raise InvalidWorkoutError(
                        f"{self.kind} step power must be a number >= 0, got {power!r}"
                    )
        if self.cadence is not None and (
            not isinstance(self.cadence, int) or isinstance(self.cadence, bool) or self.cadence <= 0
        ):
            raise InvalidWorkoutError(f"step cadence must be a positive int, got {self.cadence!r}")

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s

    def target_at(self, t_s: float, ftp_w: float) -> float | None:
        """Target watts at workout time ``t_s`` (clamped into this step); ``None`` in freeride."""
        if self.power_start is None or self.power_end is None:
            return None
        progress = min(max((t_s - self.start_s) / self.duration_s, 0.0), 1.0)
        power = self.power_start + (self.power_end - self.power_start) * progress
        return power * ftp_w if self.unit == "ftp_fraction" else power


@dataclass(frozen=True, slots=True)
class TextCue:
    """A message to show at ``at_s`` seconds into the workout for ``duration_s`` seconds."""

    at_s: float
    message: str
    duration_s: float

    def __post_init__(self) -> None:
        if not _is_finite_number(self.at_s) or self.at_s < 0:
            raise InvalidWorkoutError(f"text cue at_s must be >= 0, got {self.at_s!r}")
        if not _is_finite_number(self.duration_s) or self.duration_s < 0:
            raise InvalidWorkoutError(f"text cue duration_s must be >= 0, got {self.duration_s!r}")
        if not isinstance(self.message, str):
            raise InvalidWorkoutError(f"text cue message must be a str, got {self.message!r}")


@dataclass(frozen=True)
class Workout:
    """A whole structured workout: contiguous steps from 0 s, cues sorted by time."""

    name: str
    description: str
    author: str
    sport: str
    steps: tuple[Step, ...]
    text_cues: tuple[TextCue, ...] = ()

    def __post_init__(self) -> None:
        for label, value in (
            ("name", self.name),
            ("description", self.description),
            ("author", self.author),
            ("sport", self.sport),
        ):
            if not isinstance(value, str):
                raise InvalidWorkoutError(f"workout {label} must be a str, got {value!r}")
        if not self.steps:
            raise InvalidWorkoutError("a workout needs at least one step")
        expected_start = 0.0
        for index, step in enumerate(self.steps):
            if abs(step.start_s - expected_start) > _TIME_TOLERANCE_S:
                raise InvalidWorkoutError(
                    f"step {index} starts at {step.start_s} s, expected {expected_start} s "
                    "(steps must be contiguous from 0 s)"
                )
            expected_start = step.end_s
        cue_times = [cue.at_s for cue in self.text_cues]
        if cue_times != sorted(cue_times):
            raise InvalidWorkoutError("text cues must be sorted by at_s")

    @cached_property
    def _step_starts(self) -> tuple[float, ...]:
        # No slots on Workout so this cache can live in the instance __dict__.
        return tuple(step.start_s for step in self.steps)

    @property
    def total_duration_s(self) -> float:
        return self.steps[-1].end_s

    def step_index_at(self, t_s: float) -> int | None:
        """Index of the step running at ``t_s``; a boundary belongs to the step starting there."""
        if not 0 <= t_s < self.total_duration_s:
            return None
        return bisect.bisect_right(self._step_starts, t_s) - 1

    def target_at(self, t_s: float, ftp_w: float) -> float | None:
        """Target watts at ``t_s``: linear within ramps, ``None`` in freeride or outside the
        workout."""
        _check_ftp(ftp_w)
        index = self.step_index_at(t_s)
        return None if index is None else self.steps[index].target_at(t_s, ftp_w)

    def targets_by_second(self, ftp_w: float) -> tuple[float | None, ...]:
        """Target watts sampled at t = 0, 1, 2, ... s up to the last second that starts inside
        the workout."""
        _check_ftp(ftp_w)
        seconds = math.ceil(self.total_duration_s - _TIME_TOLERANCE_S)
        return tuple(self.target_at(float(t), ftp_w) for t in range(seconds))

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form for storing inside an event; ``from_dict`` reverses it exactly."""
        return {
            "schema_version": DICT_SCHEMA_VERSION,
            "name": self.name,
            "description": self.description,
            "author": self.author,
            "sport": self.sport,
            "steps": [
                {
                    "start_s": step.start_s,
                    "duration_s": step.duration_s,
                    "kind": step.kind,
                    "power_start": step.power_start,
                    "power_end": step.power_end,
                    "unit": step.unit,
                    "cadence": step.cadence,
                }
                for step in self.steps
            ],
            "text_cues": [
                {"at_s": cue.at_s, "message": cue.message, "duration_s": cue.duration_s}
                for cue in self.text_cues
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Workout:
        """Rebuild a workout from ``as_dict`` output; raises ``InvalidWorkoutError`` naming the
        offending key."""
        return _workout_from_dict(data)


def _check_ftp(ftp_w: float) -> None:
    if not _is_finite_number(ftp_w) or ftp_w <= 0:
        raise InvalidWorkoutError(f"ftp_w must be a positive number of watts, got {ftp_w!r}")


def _workout_from_dict(data: Mapping[str, object]) -> Workout:
    reader = _DictReader(data, "workout")
    version = reader.number("schema_version")
    if version != DICT_SCHEMA_VERSION:
        raise InvalidWorkoutError(f"workout.schema_version {version!r} is not supported")
    steps = tuple(_step_from_dict(item) for item in reader.mappings("steps"))
    cues = tuple(_cue_from_dict(item) for item in reader.mappings("text_cues"))
    return Workout(
        name=reader.text("name"),
        description=reader.text("description"),
        author=reader.text("author"),
        sport=reader.text("sport"),
        steps=steps,
        text_cues=cues,
    )


def _step_from_dict(reader: _DictReader) -> Step:
    kind = reader.text("kind")
    if kind not in STEP_KINDS:
        raise InvalidWorkoutError(f"{reader.path}.kind {kind!r} is not one of {STEP_KINDS}")
    unit = reader.text("unit")
    if unit not in POWER_UNITS:
        raise InvalidWorkoutError(f"{reader.path}.unit {unit!r} is not one of {POWER_UNITS}")
    cadence = reader.optional_number("cadence")
    if cadence is not None and not isinstance(cadence, int):
        raise InvalidWorkoutError(f"{reader.path}.cadence must be an integer, got {cadence!r}")
    return Step(
        start_s=float(reader.number("start_s")),
        duration_s=float(reader.number("duration_s")),
        kind=kind,
        power_start=_optional_float(reader.optional_number("power_start")),
        power_end=_optional_float(reader.optional_number("power_end")),
        unit=unit,
        cadence=cadence,
    )


def _cue_from_dict(reader: _DictReader) -> TextCue:
    return TextCue(
        at_s=float(reader.number("at_s")),
        message=reader.text("message"),
        duration_s=float(reader.number("duration_s")),
    )


def _optional_float(value: int | float | None) -> float | None:
    return None if value is None else float(value)


class _DictReader:
    """Typed access to one JSON object, with errors that give the path of the bad key."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, Mapping):
            raise InvalidWorkoutError(f"{path} must be an object, got {type(data).__name__}")
        self._data = cast(Mapping[str, object], data)
        self.path = path

    def _get(self, key: str) -> object:
        if key not in self._data:
            raise InvalidWorkoutError(f"{self.path}.{key} is missing")
        return self._data[key]

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            raise InvalidWorkoutError(f"{self.path}.{key} must be a string, got {value!r}")
        return value

    def number(self, key: str) -> int | float:
        value = self.optional_number(key)
        if value is None:
            raise InvalidWorkoutError(f"{self.path}.{key} must be a number, got None")
        return value

    def optional_number(self, key: str) -> int | float | None:
        value = self._get(key)
        if value is None:
            return None
        if not _is_finite_number(value):
            raise InvalidWorkoutError(f"{self.path}.{key} must be a finite number, got {value!r}")
        return cast(int | float, value)

    def mappings(self, key: str) -> list[_DictReader]:
        value = self._get(key)
        if not isinstance(value, list | tuple):
            raise InvalidWorkoutError(f"{self.path}.{key} must be a list, got {value!r}")
        return [_DictReader(item, f"{self.path}.{key}[{i}]") for i, item in enumerate(value)]
