"""The replay's playhead: where in the ride it is, how fast it moves, what is due to be sent.

Pure: every method takes the caller's monotonic clock reading, so tests can drive it with
a fake clock. The position advances at `speed` ride seconds per wall second while playing
and stops at the end of the ride. Events are handed out once each, in timeline order;
a seek moves the next event to the first one after the new position.

With `skip_pauses` on, a silence longer than `SKIPPED_SILENCE_S` of ride time (the rider
stopped: no samples, no events) is jumped over: the position moves straight to the next
event, so a 6.5-hour ride with 3 hours of stops plays its 3.5 ridden hours only.
"""

from __future__ import annotations

from adapters.replay.timeline import Timeline

MIN_SPEED = 1.0
MAX_SPEED = 600.0
SKIPPED_SILENCE_S = 10.0


class ReplayError(ValueError):
    """A replay request that cannot be followed (a speed or position out of range)."""


def checked_speed(speed: float) -> float:
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ReplayError(f"speed must be within {MIN_SPEED:g}..{MAX_SPEED:g}")
    return float(speed)


class ReplayPlayer:
    def __init__(self, timeline: Timeline, speed: float = 1.0) -> None:
        self._timeline = timeline
        self._speed = checked_speed(speed)
        self._playing = False
        self._anchor_position = 0.0
        self._anchor_clock = 0.0
        self._next = 0
        self._skip_pauses = False

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def skip_pauses(self) -> bool:
        return self._skip_pauses

    def set_skip_pauses(self, skip: bool, now: float) -> None:
        self._anchor(now)
        self._skip_pauses = skip

    @property
    def duration_s(self) -> float:
        return self._timeline.duration_s

    def playing(self, now: float) -> bool:
        return self._playing and self.position(now) < self.duration_s

    def position(self, now: float) -> float:
        if not self._playing:
            return self._anchor_position
        moved = (now - self._anchor_clock) * self._speed
        return min(self.duration_s, self._anchor_position + moved)

    def at_end(self, now: float) -> bool:
        return self.position(now) >= self.duration_s and self._next >= len(self._timeline)

    def play(self, now: float) -> None:
        if self.at_end(now):
            self.seek(0.0, now)
        self._anchor(now)
        self._playing = True

    def pause(self, now: float) -> None:
        self._anchor(now)
        self._playing = False

    def set_speed(self, speed: float, now: float) -> None:
        checked = checked_speed(speed)
        self._anchor(now)
        self._speed = checked

    def seek(self, position_s: float, now: float) -> None:
        if not 0.0 <= position_s <= self.duration_s:
            raise ReplayError(f"position_s must be within 0..{self.duration_s:.0f}")
        self._anchor_position = float(position_s)
        self._anchor_clock = now
        self._next = self._timeline.index_after(position_s)

    def due(self, now: float) -> list[bytes]:
        """The events up to the current position not handed out yet."""
        self._skip_silence(now)
        end = self._timeline.index_after(self.position(now))
        due = self._timeline.between(self._next, end)
        self._next = max(self._next, end)
        return due

    def wait_s(self, now: float) -> float | None:
        """Wall seconds until the next event is due; None while paused or after the last."""
        if not self.playing(now) or self._next >= len(self._timeline):
            return None
        self._skip_silence(now)
        ahead = self._timeline.offsets[self._next] - self.position(now)
        return max(0.0, ahead / self._speed)

    def _skip_silence(self, now: float) -> None:
        if not (self._skip_pauses and self._playing and self._next < len(self._timeline)):
            return
        upcoming = self._timeline.offsets[self._next]
        if upcoming - self.position(now) > SKIPPED_SILENCE_S:
            self._anchor_position = upcoming
            self._anchor_clock = now

    def _anchor(self, now: float) -> None:
        self._anchor_position = self.position(now)
        self._anchor_clock = now
