"""During a workout a rider's own target holds until the next step; the intensity scales the
workout's targets (as TrainerRoad and Zwift do)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import InvalidCommand, NoWorkout
from domain.sessions import WORKOUT_ISSUER, WorkoutSession
from domain.workout_follower import WorkoutFollower
from domain.workouts import IntervalEngine, SetTargetPower, Step, Workout

T0 = 1_700_000_000.0
RIDER = uuid4()
# A 10 s warm-up ramp 28 % -> 40 % FTP (70 -> 100 W at 250 W), 10 s at 200 W, 10 s at 100 W.
WORKOUT = Workout(
    "Manual",
    "",
    "",
    "bike",
    (
        Step(0, 10, "warmup", 0.28, 0.4, "ftp_fraction", None),
        Step(10, 10, "interval_on", 0.8, 0.8, "ftp_fraction", None),
        Step(20, 10, "interval_off", 100, 100, "watts", None),
    ),
)


class Ride:
    """A session on its workout, one sample a second, the follower called after each."""

    def __init__(self) -> None:
        self.session = WorkoutSession.start(
            uuid4(), uuid4(), "desk-1", 250, workout=WORKOUT.as_dict()
        )
        self.follower = WorkoutFollower()
        self.second = 0

    def ride(self, seconds: int) -> None:
        for _ in range(seconds):
            self.session.record_sample(
                "desk-1", self.second, T0 + self.second, "trainer", "2ad2", b"", {}
            )
            self.second += 1
            self.follower.follow(self.session)

    def rider_sets(self, watts: float) -> None:
        self.session.issue_command(uuid4(), "target_power", watts, RIDER)

    def commands(self) -> list[tuple[str, float | None]]:
        return [
            ("workout" if event.issued_by == WORKOUT_ISSUER else "rider", event.value)
            for event in self.session._pending_events
            if type(event).__name__ == "CommandIssued"
        ]

    def events(self, name: str) -> list[dict[str, object]]:
        return [vars(e) for e in self.session._pending_events if type(e).__name__ == name]


def test_a_manual_target_holds_through_the_ramp_until_the_next_step_begins() -> None:
    ride = Ride()
    ride.ride(3)  # warm-up ramp: 70, 71, 72 W
    ride.rider_sets(200)
    ride.ride(6)  # still in the warm-up: the ramp no longer overrides the rider
    assert ride.session.target_in_force == ("target_power", 200.0, "rider")
    assert ride.session.manual_target == ("target_power", 200.0, 0)
    ride.ride(2)  # ride time 10 s: the interval begins
    assert ride.commands()[-2:] == [("rider", 200.0), ("workout", 200.0)]
    assert ride.session.manual_target is None
    assert ride.session.target_in_force == ("target_power", 200.0, "workout")
    assert [e["reason"] for e in ride.events("ManualTargetEnded")] == ["next_step"]


def test_the_next_step_ends_the_manual_target_even_when_its_target_is_the_same() -> None:
    ride = Ride()
    ride.ride(12)  # into the 200 W interval
    ride.rider_sets(250)
    ride.ride(10)  # the 100 W recovery begins at 20 s
    assert ride.commands()[-1] == ("workout", 100.0)
    assert ride.session.manual_target is None


def test_resuming_the_workout_puts_its_target_back_at_once() -> None:
    ride = Ride()
    ride.ride(12)
    ride.rider_sets(150)
    ride.ride(2)
    assert ride.session.resume_workout() is True
    assert ride.session.resume_workout() is False  # nothing left to resume
    ride.ride(1)
    assert ride.commands()[-2:] == [("rider", 150.0), ("workout", 200.0)]
    assert ride.session.target_in_force == ("target_power", 200.0, "workout")


def test_intensity_scales_the_workouts_targets_and_ends_a_manual_target() -> None:
    ride = Ride()
    ride.ride(12)
    ride.rider_sets(150)
    ride.session.change_workout_intensity(90)
    assert ride.session.manual_target is None
    ride.ride(1)
    assert ride.commands()[-1] == ("workout", 180.0)  # 90 % of 200 W
    ride.ride(9)
    assert ride.commands()[-1] == ("workout", 90.0)  # the recovery too
    assert [e["percent"] for e in ride.events("WorkoutIntensityChanged")] == [90]


def test_a_restarted_follower_keeps_the_intensity_and_the_manual_target() -> None:
    ride = Ride()
    ride.ride(12)
    ride.session.change_workout_intensity(110)
    ride.ride(1)
    ride.rider_sets(160)
    ride.follower = WorkoutFollower()  # another worker took the shard over
    ride.ride(5)
    assert ride.commands()[-2:] == [("workout", 220.0), ("rider", 160.0)]
    ride.ride(5)
    assert ride.commands()[-1] == ("workout", 110.0)


def test_a_rider_command_outside_a_workout_step_is_no_manual_target() -> None:
    plain = WorkoutSession.start(uuid4(), uuid4(), "desk-1", 250)
    plain.issue_command(uuid4(), "target_power", 180, RIDER)
    assert plain.manual_target is None
    assert plain.target_in_force == ("target_power", 180.0, "rider")
    ride = Ride()
    ride.ride(31)  # the workout is over
    ride.rider_sets(120)
    assert ride.session.manual_target is None


@pytest.mark.parametrize("percent", [49, 151, 100.5, True, "90"])
def test_an_intensity_outside_50_to_150_whole_percent_is_refused(percent: object) -> None:
    ride = Ride()
    with pytest.raises(InvalidCommand, match=r"intensity must be a whole percent in 50\.\.150"):
        ride.session.change_workout_intensity(percent)  # type: ignore[arg-type]
    assert ride.session.intensity_pct == 100


def test_a_session_without_a_workout_has_nothing_to_resume_or_scale() -> None:
    plain = WorkoutSession.start(uuid4(), uuid4(), "desk-1", 250)
    with pytest.raises(NoWorkout):
        plain.resume_workout()
    with pytest.raises(NoWorkout):
        plain.change_workout_intensity(90)


def test_the_engine_scales_targets_and_resends_the_one_in_force() -> None:
    engine = IntervalEngine(WORKOUT, 250)
    assert engine.advance(12) == [SetTargetPower(12, 200, 1)]
    engine.set_intensity(105)
    assert engine.advance(12) == [SetTargetPower(12, 210, 1)]
    assert engine.advance(13) == []
    engine.resend()
    assert engine.advance(13) == [SetTargetPower(13, 210, 1)]
