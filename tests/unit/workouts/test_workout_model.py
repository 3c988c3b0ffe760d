"""The workout model: targets over time, invariants, and the dict form stored in events."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from domain.workouts import (
    InvalidWorkoutError,
    Step,
    TextCue,
    Workout,
    parse_workout,
)

FIXTURES = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures"
WORKOUT_FILES = sorted([*FIXTURES.glob("zwo/*"), *FIXTURES.glob("erg/*")])


def steady(start_s: float, duration_s: float, power: float) -> Step:
    return Step(start_s, duration_s, "steady", power, power, "ftp_fraction", None)


def small_workout() -> Workout:
    return Workout(
        name="Small",
        description="",
        author="",
        sport="bike",
        steps=(
            steady(0, 10, 0.5),
            Step(10, 20, "ramp", 0.5, 1.0, "ftp_fraction", 90),
            Step(30, 5.5, "freeride", None, None, "ftp_fraction", None),
        ),
        text_cues=(TextCue(12, "ramp!", 5),),
    )


def test_total_duration_is_the_end_of_the_last_step() -> None:
    assert small_workout().total_duration_s == 35.5


def test_ftp_fraction_targets_scale_with_the_rider_ftp() -> None:
    workout = small_workout()

    assert workout.target_at(5, 200) == pytest.approx(100)
    assert workout.target_at(5, 300) == pytest.approx(150)


def test_ramp_target_is_linear_between_its_start_and_end_power() -> None:
    workout = small_workout()

    assert workout.target_at(10, 200) == pytest.approx(100)
    assert workout.target_at(15, 200) == pytest.approx(125)
    assert workout.target_at(29.9, 200) == pytest.approx(199.5)


def test_target_is_none_in_freeride_and_outside_the_workout() -> None:
    workout = small_workout()

    assert workout.target_at(30, 200) is None
    assert workout.target_at(35.5, 200) is None
    assert workout.target_at(-1, 200) is None


def test_targets_by_second_cover_every_second_that_starts_inside_the_workout() -> None:
    targets = small_workout().targets_by_second(200)

    assert len(targets) == 36  # seconds 0..35, the last one only half long
    assert targets[0] == pytest.approx(100)
    assert targets[20] == pytest.approx(150)
    assert targets[30:] == (None,) * 6


@pytest.mark.parametrize("ftp_w", [0, -250, float("nan")])
def test_targets_need_a_positive_ftp(ftp_w: float) -> None:
    with pytest.raises(InvalidWorkoutError, match="ftp_w"):
        small_workout().target_at(5, ftp_w)


@pytest.mark.parametrize("path", WORKOUT_FILES, ids=lambda path: path.name)
def test_every_fixture_round_trips_through_json_as_stored_in_an_event(path: Path) -> None:
    workout = parse_workout(path.name, path.read_bytes())

    stored = json.loads(json.dumps(workout.as_dict()))

    assert Workout.from_dict(stored) == workout


def test_from_dict_accepts_whole_numbers_where_floats_are_stored() -> None:
    stored = small_workout().as_dict()
    steps = stored["steps"]
    assert isinstance(steps, list)
    steps[0]["duration_s"] = 10

    assert Workout.from_dict(stored) == small_workout()


@pytest.mark.parametrize(
    ("key_path", "value", "expected"),
    [
        (("name",), 7, "workout.name must be a string"),
        (("schema_version",), 2, "schema_version 2 is not supported"),
        (("steps", 0, "kind"), "sprint", "workout.steps[0].kind 'sprint' is not one of"),
        (("steps", 1, "duration_s"), "20", "workout.steps[1].duration_s must be a finite number"),
        (("steps", 1, "duration_s"), True, "workout.steps[1].duration_s must be a finite number"),
        (("steps", 1, "cadence"), 90.5, "workout.steps[1].cadence must be an integer"),
        (("steps", 0, "unit"), "kcal", "workout.steps[0].unit 'kcal' is not one of"),
        (("text_cues", 0, "message"), None, "workout.text_cues[0].message must be a string"),
        (("steps",), {}, "workout.steps must be a list"),
    ],
)
def test_from_dict_names_the_bad_key(
    key_path: tuple[str | int, ...], value: object, expected: str
) -> None:
    stored = json.loads(json.dumps(small_workout().as_dict()))
    target = stored
    for key in key_path[:-1]:
        target = target[key]
    target[key_path[-1]] = value

    with pytest.raises(InvalidWorkoutError) as info:
        Workout.from_dict(stored)

    assert expected in str(info.value)


def test_from_dict_reports_a_missing_key() -> None:
    stored = small_workout().as_dict()
    del stored["author"]

    with pytest.raises(InvalidWorkoutError, match=r"workout\.author is missing"):
        Workout.from_dict(stored)


def test_steps_with_a_gap_are_refused() -> None:
    with pytest.raises(InvalidWorkoutError, match="step 1 starts at 11"):
        Workout("Gap", "", "", "bike", (steady(0, 10, 0.5), steady(11, 10, 0.5)))


def test_a_workout_without_steps_is_refused() -> None:
    with pytest.raises(InvalidWorkoutError, match="at least one step"):
        Workout("Empty", "", "", "bike", ())


def test_unsorted_cues_are_refused() -> None:
    cues = (TextCue(5, "b", 1), TextCue(1, "a", 1))

    with pytest.raises(InvalidWorkoutError, match="sorted"):
        Workout("Cues", "", "", "bike", (steady(0, 10, 0.5),), cues)


@pytest.mark.parametrize(
    ("make_step", "expected"),
    [
        (lambda: steady(0, 0, 0.5), "duration_s must be > 0"),
        (lambda: steady(0, -5, 0.5), "duration_s must be > 0"),
        (lambda: steady(-1, 5, 0.5), "start_s must be >= 0"),
        (lambda: steady(0, 5, -0.1), "power must be a number >= 0"),
        (lambda: Step(0, 5, "freeride", 0.5, 0.5, "watts", None), "freeride step has no power"),
        (lambda: Step(0, 5, "ramp", None, 1.0, "watts", None), "power must be a number"),
        (lambda: Step(0, 5, "steady", 1, 1, "watts", 0), "cadence must be a positive int"),
    ],
)
def test_invalid_steps_are_refused(make_step: Callable[[], Step], expected: str) -> None:
    with pytest.raises(InvalidWorkoutError, match=expected):
        make_step()
