"""A session follows its structured workout on its ride clock: ERG targets as commands."""

from __future__ import annotations

from uuid import uuid4

from domain.sessions import MAX_RIDE_CLOCK_STEP_S, WORKOUT_ISSUER, WorkoutSession
from domain.workout_follower import WorkoutFollower
from domain.workouts import Step, Workout

T0 = 1_700_000_000.0
# 10 s at 100 W, 10 s of 80 % FTP (200 W at 250 W FTP), 5 s of free ride.
WORKOUT = Workout(
    "Short",
    "",
    "",
    "bike",
    (
        Step(0, 10, "steady", 100, 100, "watts", None),
        Step(10, 10, "interval_on", 0.8, 0.8, "ftp_fraction", None),
        Step(20, 5, "freeride", None, None, "watts", None),
    ),
)


def started() -> WorkoutSession:
    return WorkoutSession.start(uuid4(), uuid4(), "desk-1", 250, workout=WORKOUT.as_dict())


def ride(
    session: WorkoutSession, follower: WorkoutFollower, seconds: range, first_seq: int = 0
) -> None:
    """Four samples a second, the follower called after each second (a batch)."""
    seq = first_seq
    for second in seconds:
        for quarter in range(4):
            t = T0 + second + quarter / 4
            session.record_sample("desk-1", seq, t, "trainer", "2ad2", b"\x00", {"power_w": 150})
            seq += 1
        follower.follow(session)


def workout_commands(session: WorkoutSession) -> list[tuple[str, float | None]]:
    """What the workout issued so far (pending events are kept: the session is never saved)."""
    return [
        (event.kind, event.value)
        for event in session._pending_events
        if type(event).__name__ == "CommandIssued" and event.issued_by == WORKOUT_ISSUER
    ]


def test_the_workout_sets_each_steps_target_and_releases_the_trainer_at_the_end() -> None:
    session, follower = started(), WorkoutFollower()
    ride(session, follower, range(30))
    assert workout_commands(session) == [
        ("target_power", 100.0),
        ("target_power", 200.0),
        ("slope", 0.0),  # the free ride, and the end of the workout: leave ERG
    ]


def test_the_second_target_comes_when_ten_seconds_have_been_ridden() -> None:
    session, follower = started(), WorkoutFollower()
    ride(session, follower, range(10))
    assert session.ride_time_s == 9.75
    assert workout_commands(session) == [("target_power", 100.0)]
    ride(session, follower, range(10, 11), first_seq=40)
    assert workout_commands(session)[-1] == ("target_power", 200.0)


def test_a_paused_session_stops_the_workout_clock() -> None:
    session, follower = started(), WorkoutFollower()
    ride(session, follower, range(5))
    session.pause()
    ride(session, follower, range(5, 60), first_seq=20)  # still pedalling, paused
    assert session.ride_time_s == 4.75
    session.resume()
    ride(session, follower, range(60, 66), first_seq=1000)
    assert session.ride_time_s == 10.75
    assert workout_commands(session) == [("target_power", 100.0), ("target_power", 200.0)]


def test_a_silence_counts_only_a_short_step_and_a_late_sample_none() -> None:
    session = started()
    session.record_sample("desk-1", 0, T0, "trainer", "2ad2", b"", {})
    session.record_sample("desk-1", 1, T0 + 60, "trainer", "2ad2", b"", {})
    session.record_sample("desk-1", 2, T0 + 30, "hr", "2a37", b"", {})  # a late backlog
    assert session.ride_time_s == MAX_RIDE_CLOCK_STEP_S


def test_a_restarted_follower_does_not_issue_the_target_in_force_again() -> None:
    session = started()
    ride(session, WorkoutFollower(), range(5))
    assert workout_commands(session) == [("target_power", 100.0)]
    ride(session, WorkoutFollower(), range(5, 12), first_seq=20)  # a new worker took over
    assert workout_commands(session) == [("target_power", 100.0), ("target_power", 200.0)]


def test_a_session_without_a_workout_is_left_alone() -> None:
    session = WorkoutSession.start(uuid4(), uuid4(), "desk-1", 250)
    follower = WorkoutFollower()
    ride(session, follower, range(5))
    assert workout_commands(session) == []
    assert len(follower) == 0
