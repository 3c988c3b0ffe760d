"""A session's optional workout: a JSON workout (`Workout.as_dict` form) or an uploaded
.zwo/.erg/.mrc file; either way stored in the session as the checked `as_dict` form."""

from __future__ import annotations

from typing import Any

from adapters.http.errors import InvalidField
from domain.workouts import Workout, WorkoutError, parse_workout

MAX_WORKOUT_FILE_BYTES = 512 * 1024


def workout_from_json(data: dict[str, Any]) -> dict[str, Any]:
    try:
        return Workout.from_dict(data).as_dict()
    except WorkoutError as error:
        raise InvalidField(f"workout: {error}", field="workout", code="invalid_workout") from None


def workout_from_file(filename: str, data: bytes) -> dict[str, Any]:
    if len(data) > MAX_WORKOUT_FILE_BYTES:
        raise InvalidField(
            f"the workout file is larger than {MAX_WORKOUT_FILE_BYTES} bytes", field="workout"
        )
    try:
        return parse_workout(filename, data).as_dict()
    except WorkoutError as error:
        raise InvalidField(str(error), field="workout", code="invalid_workout") from None
