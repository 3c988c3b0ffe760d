"""Bounds on imported workouts, so a hostile or corrupt file cannot expand without limit."""

from __future__ import annotations

from typing import Final

MAX_WORKOUT_DURATION_S: Final = 24 * 3600.0
MAX_WORKOUT_STEPS: Final = 10_000
