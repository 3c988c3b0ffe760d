"""Parser for ERG (.erg, absolute watts) and MRC (.mrc, percent of FTP) course files.

[COURSE DATA] is a list of (minutes, value) points joined by straight lines: two points with
different values form a ramp, equal consecutive times mean an instant step change.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from pathlib import PureWindowsPath
from typing import Final

from domain.workouts.errors import InvalidWorkoutError, WorkoutFileError
from domain.workouts.limits import MAX_WORKOUT_DURATION_S, MAX_WORKOUT_STEPS
from domain.workouts.model import PowerUnit, Step, TextCue, Workout
from domain.workouts.text_decoding import decode_workout_bytes

DEFAULT_CUE_DURATION_S: Final = 10.0
_HEADER, _DATA, _TEXT = "COURSE HEADER", "COURSE DATA", "COURSE TEXT"
_SECTIONS: Final = (_HEADER, _DATA, _TEXT)
_COLUMN_UNITS: Final[dict[str, PowerUnit]] = {"WATTS": "watts", "PERCENT": "ftp_fraction"}
_TIME_DECIMALS: Final = 6
_CUE_WITHOUT_TABS: Final = re.compile(
    r"(?P<at>\S+)\s+(?P<text>.*?)(?:\s+(?P<duration>\d+(?:\.\d+)?))?"
)


def parse_erg(data: bytes, *, source: str = "<erg>") -> Workout:
    """Parse an .erg file (watts unless its header says ``MINUTES PERCENT``)."""
    return _CourseFileReader(source, default_unit="watts").read(data)


def parse_mrc(data: bytes, *, source: str = "<mrc>") -> Workout:
    """Parse an .mrc file (percent of FTP unless its header says ``MINUTES WATTS``)."""
    return _CourseFileReader(source, default_unit="ftp_fraction").read(data)


@dataclass(frozen=True, slots=True)
class _Point:
    minutes: float
    value: float
    line: int


class _CourseFileReader:
    def __init__(self, source: str, *, default_unit: PowerUnit) -> None:
        self._source = source
        self._unit: PowerUnit = default_unit
        self._header: dict[str, str] = {}
        self._points: list[_Point] = []
        self._cues: list[TextCue] = []

    def read(self, data: bytes) -> Workout:
        if not data.strip():
            raise WorkoutFileError(self._source, "the file is empty")
        text = decode_workout_bytes(data, source=self._source, declared_encoding=None)
        self._read_lines(text.splitlines())
        steps = self._steps()
        description = self._header.get("DESCRIPTION", "")
        file_name = self._header.get("FILE NAME", "")
        try:
            return Workout(
                name=PureWindowsPath(file_name).stem if file_name else description,
                description=description,
                author="",
                sport="bike",
                steps=steps,
                text_cues=tuple(sorted(self._cues, key=lambda cue: cue.at_s)),
            )
        except InvalidWorkoutError as exc:
            raise WorkoutFileError(self._source, str(exc)) from exc

    def _read_lines(self, lines: list[str]) -> None:
        section: str | None = None
        seen: set[str] = set()
        for number, raw in enumerate(lines, start=1):
            line = raw.strip()
            if not line:
                continue
            if line.startswith("["):
                section = self._switch_section(line, section, seen, number)
            elif section == _HEADER:
                self._read_header_line(line, number)
            elif section == _DATA:
                self._read_data_line(line, number)
            elif section == _TEXT:
                self._read_cue_line(line, number)
            else:
                raise self._error(number, f"text outside any [SECTION]: {line!r}")
        if section is not None:
            raise self._error(
                len(lines), f"the file ends inside [{section}] (no [END {section}]); truncated?"
            )
        if _DATA not in seen:
            raise self._error(None, "there is no [COURSE DATA] section")

    def _switch_section(
        self, line: str, current: str | None, seen: set[str], number: int
    ) -> str | None:
        name = line.strip("[] \t").upper()
        if name.startswith("END "):
            if name[4:] != current:
                raise self._error(number, f"{line} does not close an open section")
            return None
        if name not in _SECTIONS:
            raise self._error(number, f"unknown section {line}")
        if current is not None:
            raise self._error(number, f"{line} starts before [END {current}]")
        if name in seen:
            raise self._error(number, f"section {line} appears twice")
        seen.add(name)
        return name

    def _read_header_line(self, line: str, number: int) -> None:
        key, equals, value = line.partition("=")
        if equals:
            self._header[" ".join(key.split()).upper()] = value.strip()
            return
        columns = line.upper().split()
        if len(columns) == 2 and columns[0] == "MINUTES" and columns[1] in _COLUMN_UNITS:
            self._unit = _COLUMN_UNITS[columns[1]]
            return
        raise self._error(
            number,
            f"unsupported header line {line!r}; expected 'KEY = VALUE', "
            "'MINUTES WATTS' or 'MINUTES PERCENT' (distance-based courses are not supported)",
        )

    def _read_data_line(self, line: str, number: int) -> None:
        fields = line.split()
        if len(fields) != 2:
            raise self._error(number, f"expected '<minutes> <value>', got {line!r}")
        if fields[1].upper() == "LAP":
            return  # lap markers do not change the target
        minutes = self._number(fields[0], "time in minutes", number)
        value = self._number(fields[1], "power value", number)
        if self._points and minutes < self._points[-1].minutes:
            raise self._error(
                number,
                f"time {fields[0]} min goes backwards "
                f"(line {self._points[-1].line} is at {self._points[-1].minutes:g} min)",
            )
        if minutes * 60 > MAX_WORKOUT_DURATION_S:
            raise self._error(
                number, f"time {fields[0]} min is beyond {MAX_WORKOUT_DURATION_S / 3600:g} h"
            )
        if len(self._points) > MAX_WORKOUT_STEPS:
            raise self._error(number, f"more than {MAX_WORKOUT_STEPS} data points")
        if not self._points and minutes != 0:
            raise self._error(number, f"the first point must be at 0 minutes, not {fields[0]}")
        self._points.append(_Point(minutes, value, number))

    def _read_cue_line(self, line: str, number: int) -> None:
        if "\t" in line:
            # Tab-separated fields let a message end in a number without being misread.
            fields = [field.strip() for field in line.split("\t") if field.strip()]
            if len(fields) > 3:
                raise self._error(number, f"expected '<seconds>\\t<text>\\t<duration>': {line!r}")
            at, text, duration = fields[0], (fields[1] if len(fields) > 1 else ""), fields[2:]
        else:
            match = _CUE_WITHOUT_TABS.fullmatch(line)
            if match is None:
                raise self._error(number, f"expected '<seconds> <text> <duration>': {line!r}")
            at, text = match["at"], match["text"]
            duration = [match["duration"]] if match["duration"] else []
        if not text:
            raise self._error(number, f"the text cue has no message: {line!r}")
        self._cues.append(
            TextCue(
                at_s=self._number(at, "cue time in seconds", number),
                message=text,
                duration_s=(
                    self._number(duration[0], "cue duration", number)
                    if duration
                    else DEFAULT_CUE_DURATION_S
                ),
            )
        )

    def _steps(self) -> tuple[Step, ...]:
        steps: list[Step] = []
        for before, after in itertools.pairwise(self._points):
            if after.minutes == before.minutes:
                continue  # an instant step change
            start_s = round(before.minutes * 60, _TIME_DECIMALS)
            end_s = round(after.minutes * 60, _TIME_DECIMALS)
            power_start, power_end = self._power(before.value), self._power(after.value)
            previous = steps[-1] if steps else None
            if (
                previous is not None
                and previous.kind == "steady"
                and power_start == power_end == previous.power_end
            ):
                start_s = previous.start_s  # merge a flat run split by repeated points
                steps.pop()
            steps.append(
                Step(
                    start_s=start_s,
                    duration_s=round(end_s - start_s, _TIME_DECIMALS),
                    kind="steady" if power_start == power_end else "ramp",
                    power_start=power_start,
                    power_end=power_end,
                    unit=self._unit,
                )
            )
        if not steps:
            raise self._error(None, "the workout is empty: [COURSE DATA] spans no time")
        return tuple(steps)

    def _power(self, value: float) -> float:
        return value / 100 if self._unit == "ftp_fraction" else value

    def _number(self, raw: str, what: str, number: int) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise self._error(number, f"{what} {raw!r} is not a number") from None
        if not math.isfinite(value) or value < 0:
            raise self._error(number, f"{what} {raw!r} must be a finite number >= 0")
        return value

    def _error(self, line: int | None, problem: str) -> WorkoutFileError:
        return WorkoutFileError(self._source, problem, line=line)
