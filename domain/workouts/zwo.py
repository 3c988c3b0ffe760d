"""Parser for Zwift structured workouts (.zwo XML).

Power attributes are fractions of FTP. Ranges written as PowerLow/PowerHigh on SteadyState and
IntervalsT (the early Zwift "target band" form) become one flat target at the middle of the
band, as Zwift rides them; Warmup and Ramp go from PowerLow to PowerHigh; Cooldown always goes
down, from the larger to the smaller value, whichever attribute holds which.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from typing import Final
from xml.parsers import expat

from domain.workouts.errors import InvalidWorkoutError, WorkoutFileError
from domain.workouts.limits import MAX_WORKOUT_DURATION_S, MAX_WORKOUT_STEPS
from domain.workouts.model import Step, StepKind, TextCue, Workout
from domain.workouts.text_decoding import declared_xml_encoding, decode_workout_bytes

STEP_ELEMENTS: Final = (
    "Warmup",
    "Cooldown",
    "SteadyState",
    "Ramp",
    "IntervalsT",
    "FreeRide",
    "Freeride",
    "MaxEffort",
)
DEFAULT_CUE_DURATION_S: Final = 10.0
_TIME_DECIMALS: Final = 6


def parse_zwo(data: bytes, *, source: str = "<zwo>") -> Workout:
    """Parse a .zwo file; raises ``WorkoutFileError`` with the line and element on any problem."""
    if not data.strip():
        raise WorkoutFileError(source, "the file is empty")
    text = decode_workout_bytes(data, source=source, declared_encoding=declared_xml_encoding(data))
    root, lines = _parse_xml(text, source)
    return _ZwoReader(source, lines).read(root)


def _parse_xml(text: str, source: str) -> tuple[ET.Element, dict[ET.Element, int]]:
    """Build an ElementTree with expat driving the TreeBuilder, so each element keeps its line."""
    builder = ET.TreeBuilder()
    lines: dict[ET.Element, int] = {}
    parser = expat.ParserCreate()
    parser.buffer_text = True

    def start(tag: str, attributes: dict[str, str]) -> None:
        lines[builder.start(tag, attributes)] = parser.CurrentLineNumber

    def refuse_doctype(*_: object) -> None:
        # No DTDs means no entity expansion tricks in uploaded files; real .zwo files have none.
        raise WorkoutFileError(
            source, "DOCTYPE declarations are not accepted", line=parser.CurrentLineNumber
        )

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse_doctype
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        raise WorkoutFileError(
            source,
            f"malformed XML: {expat.ErrorString(exc.code)}",
            line=exc.lineno,
            column=exc.offset + 1,
        ) from None
    return builder.close(), lines


class _ZwoReader:
    def __init__(self, source: str, lines: dict[ET.Element, int]) -> None:
        self._source = source
        self._lines = lines
        self._steps: list[Step] = []
        self._cues: list[TextCue] = []
        self._clock_s = 0.0

    def read(self, root: ET.Element) -> Workout:
        if root.tag != "workout_file":
            raise self._error(root, "the root element must be <workout_file>")
        sport = _child_text(root, "sportType") or "bike"
        if sport.lower() != "bike":
            raise self._error(
                root, f"sportType {sport!r} is not supported; only bike workouts drive a trainer"
            )
        duration_type = _child_text(root, "durationType") or "time"
        if duration_type.lower() != "time":
            raise self._error(
                root, f"durationType {duration_type!r} is not supported; durations must be time"
            )
        blocks = root.findall("workout")
        if not blocks:
            raise self._error(root, "there is no <workout> element")
        if len(blocks) > 1:
            raise self._error(blocks[1], "there is more than one <workout> element")
        for element in blocks[0]:
            self._read_step_element(element)
        if not self._steps:
            raise self._error(blocks[0], "the workout is empty (no steps)")
        try:
            return Workout(
                name=_child_text(root, "name"),
                description=_child_text(root, "description"),
                author=_child_text(root, "author"),
                sport="bike",
                steps=tuple(self._steps),
                text_cues=tuple(sorted(self._cues, key=lambda cue: cue.at_s)),
            )
        except InvalidWorkoutError as exc:
            raise WorkoutFileError(self._source, str(exc)) from exc

    def _read_step_element(self, element: ET.Element) -> None:
        element_start_s = self._clock_s
        tag = element.tag
        if tag in ("Warmup", "Ramp"):
            low, high = self._power_range(element, "Power", "PowerLow", "PowerHigh")
            kind: StepKind = "warmup" if tag == "Warmup" else "ramp"
            self._add_step(element, kind, self._duration(element, "Duration"), low, high, "Cadence")
        elif tag == "Cooldown":
            low, high = self._power_range(element, "Power", "PowerLow", "PowerHigh")
            duration = self._duration(element, "Duration")
            self._add_step(element, "cooldown", duration, max(low, high), min(low, high), "Cadence")
        elif tag == "SteadyState":
            power = _middle(self._power_range(element, "Power", "PowerLow", "PowerHigh"))
            duration = self._duration(element, "Duration")
            self._add_step(element, "steady", duration, power, power, "Cadence")
        elif tag == "IntervalsT":
            self._add_intervals(element)
        elif tag in ("FreeRide", "Freeride", "MaxEffort"):
            duration = self._duration(element, "Duration")
            self._add_step(element, "freeride", duration, None, None, "Cadence")
        else:
            raise self._error(
                element,
                f"unknown workout element <{tag}>; supported: {', '.join(STEP_ELEMENTS)}",
            )
        for child in element:
            if child.tag.lower() != "textevent":
                raise self._error(child, f"unknown element <{child.tag}> inside <{tag}>")
            self._add_cue(child, element_start_s)

    def _add_intervals(self, element: ET.Element) -> None:
        repeat = self._repeat(element)
        on_duration = self._duration(element, "OnDuration")
        on_power = _middle(self._power_range(element, "OnPower", "PowerOnLow", "PowerOnHigh"))
        off_duration = self._duration(element, "OffDuration", default=0.0, allow_zero=True)
        off_power = 0.0
        if off_duration > 0:
            off_power = _middle(
                self._power_range(element, "OffPower", "PowerOffLow", "PowerOffHigh")
            )
        for _ in range(repeat):
            self._add_step(element, "interval_on", on_duration, on_power, on_power, "Cadence")
            if off_duration > 0:
                self._add_step(
                    element, "interval_off", off_duration, off_power, off_power, "CadenceResting"
                )

    def _add_step(
        self,
        element: ET.Element,
        kind: StepKind,
        duration_s: float,
        power_start: float | None,
        power_end: float | None,
        cadence_attribute: str,
    ) -> None:
        if len(self._steps) >= MAX_WORKOUT_STEPS:
            raise self._error(element, f"the workout has more than {MAX_WORKOUT_STEPS} steps")
        if self._clock_s + duration_s > MAX_WORKOUT_DURATION_S:
            raise self._error(
                element, f"the workout lasts more than {MAX_WORKOUT_DURATION_S / 3600:g} h"
            )
        self._steps.append(
            Step(
                start_s=self._clock_s,
                duration_s=duration_s,
                kind=kind,
                power_start=power_start,
                power_end=power_end,
                unit="ftp_fraction",
                cadence=self._cadence(element, cadence_attribute),
            )
        )
        self._clock_s = round(self._clock_s + duration_s, _TIME_DECIMALS)

    def _add_cue(self, element: ET.Element, element_start_s: float) -> None:
        message = element.get("message")
        if not message:
            raise self._error(element, "the text event has no message attribute")
        # Zwift tools write textevents without timeoffset to mean "at the start of the block".
        offset = self._number(element, "timeoffset", minimum=0.0)
        duration = self._number(element, "duration", minimum=0.0)
        self._cues.append(
            TextCue(
                at_s=round(element_start_s + (offset or 0.0), _TIME_DECIMALS),
                message=message,
                duration_s=DEFAULT_CUE_DURATION_S if duration is None else duration,
            )
        )

    def _power_range(
        self, element: ET.Element, single: str, low_name: str, high_name: str
    ) -> tuple[float, float]:
        power = self._number(element, single, minimum=0.0)
        if power is not None:
            return power, power
        low = self._number(element, low_name, minimum=0.0)
        high = self._number(element, high_name, minimum=0.0)
        # Like Zwift, a lone bound stands for both ends.
        low = high if low is None else low
        high = low if high is None else high
        if low is None or high is None:
            raise self._error(element, f"missing power: needs {single} or {low_name}/{high_name}")
        return low, high

    def _duration(
        self,
        element: ET.Element,
        name: str,
        *,
        default: float | None = None,
        allow_zero: bool = False,
    ) -> float:
        value = self._number(element, name, minimum=-math.inf)
        if value is None:
            if default is None:
                raise self._error(element, f"missing required attribute {name}")
            return default
        if value < 0 or (value == 0 and not allow_zero):
            limit = ">= 0" if allow_zero else "> 0"
            raise self._error(
                element, f"attribute {name}={element.get(name)!r}: a duration must be {limit} s"
            )
        return value

    def _repeat(self, element: ET.Element) -> int:
        value = self._number(element, "Repeat", minimum=1.0)
        if value is None:
            return 1
        if not value.is_integer():
            raise self._error(
                element, f"attribute Repeat={element.get('Repeat')!r} must be a whole number"
            )
        return int(value)

    def _cadence(self, element: ET.Element, name: str) -> int | None:
        value = self._number(element, name, minimum=0.0)
        if value is None:
            return None
        if value == 0:
            raise self._error(element, f"attribute {name}={element.get(name)!r} must be > 0")
        return round(value)

    def _number(self, element: ET.Element, name: str, *, minimum: float) -> float | None:
        raw = element.get(name)
        if raw is None:
            return None
        try:
            value = float(raw)
        except ValueError:
            raise self._error(element, f"attribute {name}={raw!r} is not a number") from None
        if not math.isfinite(value):
            raise self._error(element, f"attribute {name}={raw!r} is not a finite number")
        if value < minimum:
            raise self._error(element, f"attribute {name}={raw!r} must be >= {minimum:g}")
        return value

    def _error(self, element: ET.Element, problem: str) -> WorkoutFileError:
        return WorkoutFileError(
            self._source, problem, line=self._lines.get(element), element=element.tag
        )


def _child_text(root: ET.Element, tag: str) -> str:
    return (root.findtext(tag) or "").strip()


def _middle(power_range: tuple[float, float]) -> float:
    low, high = power_range
    return (low + high) / 2
