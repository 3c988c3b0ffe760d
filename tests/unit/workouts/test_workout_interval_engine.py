"""The interval engine: which ERG commands and cues a rider gets, and when."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from domain.workouts import (
    EngineAction,
    EngineError,
    IntervalEngine,
    ReleaseTarget,
    SetTargetPower,
    ShowTextCue,
    Step,
    TextCue,
    Workout,
    WorkoutFinished,
    parse_workout,
)

FIXTURES = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures"


def fixture_workout(relative: str) -> Workout:
    path = FIXTURES / relative
    return parse_workout(path.name, path.read_bytes())


def one_ramp(start_w: float, end_w: float, duration_s: float) -> Workout:
    ramp = Step(0, duration_s, "ramp", start_w, end_w, "watts", None)
    return Workout("Ramp", "", "", "bike", (ramp,))


def ride(engine: IntervalEngine, times: Iterable[float]) -> list[EngineAction]:
    return [action for t in times for action in engine.advance(t)]


def commands(actions: list[EngineAction]) -> list[SetTargetPower | ReleaseTarget]:
    return [a for a in actions if isinstance(a, SetTargetPower | ReleaseTarget)]


def whole_watts(value: float) -> int:
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_engine_commands_the_first_target_at_the_start() -> None:
    engine = IntervalEngine(fixture_workout("zwo/Mayfield.zwo"), 200)

    assert engine.advance(0) == [SetTargetPower(at_s=0, watts=60, step_index=0)]


def test_engine_starts_a_free_ride_warmup_by_releasing_erg_and_showing_its_cue() -> None:
    engine = IntervalEngine(fixture_workout("zwo/ZWIFT_STEP_TEST_pb_HPTek.zwo"), 100)

    assert engine.advance(0) == [
        ReleaseTarget(at_s=0, step_index=0),
        ShowTextCue(at_s=0, message="Warm Up: 10 minute FREE RIDE", duration_s=10),
    ]
    assert engine.advance(600) == [SetTargetPower(at_s=600, watts=150, step_index=1)]


def test_engine_never_shows_a_cue_scheduled_at_or_after_the_end() -> None:
    workout = Workout(
        "Short",
        "",
        "",
        "bike",
        (Step(0, 60, "steady", 200, 200, "watts", None),),
        (TextCue(59, "last push", 5), TextCue(60, "too late", 5)),
    )

    actions = ride(IntervalEngine(workout, 250), range(0, 120, 30))

    assert [a.message for a in actions if isinstance(a, ShowTextCue)] == ["last push"]
    assert actions[-1] == WorkoutFinished(at_s=60)


def test_engine_does_not_repeat_an_unchanged_target() -> None:
    engine = IntervalEngine(fixture_workout("zwo/SST.zwo"), 250)

    actions = ride(engine, range(600, 3300))

    assert actions == [SetTargetPower(at_s=600, watts=225, step_index=1)]


def test_engine_switches_target_on_the_first_tick_of_a_new_step() -> None:
    engine = IntervalEngine(fixture_workout("zwo/Mayfield.zwo"), 200)

    actions = ride(engine, [299.5, 300.25, 359.9, 360.0])

    assert [(a.at_s, a.watts) for a in commands(actions) if isinstance(a, SetTargetPower)] == [
        (299.5, 140),  # end of the 0.3 -> 0.7 warmup
        (300.25, 300),  # interval on: middle of 1.4..1.6 x 200 W
        (360.0, 130),  # interval off: middle of 0.5..0.8 x 200 W
    ]


def test_engine_at_one_hertz_always_holds_the_rounded_planned_target() -> None:
    workout = fixture_workout("zwo/FTPTest.zwo")
    engine = IntervalEngine(workout, 250)
    planned = workout.targets_by_second(250)
    held: int | None = None

    for second, target in enumerate(planned):
        for action in engine.advance(second):
            if isinstance(action, SetTargetPower):
                held = action.watts
            elif isinstance(action, ReleaseTarget):
                held = None
        assert held == (None if target is None else whole_watts(target)), second


def test_engine_sends_ramp_updates_at_most_once_per_second_of_workout_time() -> None:
    engine = IntervalEngine(one_ramp(100, 400, 30), 250)

    sent = commands(ride(engine, [tick / 10 for tick in range(300)]))

    assert all(isinstance(command, SetTargetPower) for command in sent)
    gaps = [later.at_s - earlier.at_s for earlier, later in itertools.pairwise(sent)]
    assert min(gaps) >= 1.0 - 1e-9
    assert len(sent) == 30
    assert [c.watts for c in sent if isinstance(c, SetTargetPower)][:3] == [100, 110, 120]


def test_engine_stays_silent_until_a_ramp_moves_a_whole_watt() -> None:
    engine = IntervalEngine(one_ramp(100, 101, 60), 250)

    sent = commands(ride(engine, range(60)))

    assert sent == [
        SetTargetPower(at_s=0, watts=100, step_index=0),
        SetTargetPower(at_s=30, watts=101, step_index=0),  # 100.5 W rounds up
    ]


def test_engine_releases_erg_in_a_free_ride_and_restores_it_afterwards() -> None:
    # TempoBursts: 600 s warmup + 4 x 125 s, then a 240 s free ride from 1100 s to 1340 s.
    engine = IntervalEngine(fixture_workout("zwo/TempoBursts.zwo"), 300)
    engine.advance(1098)

    sent = commands(ride(engine, range(1099, 1342)))

    assert sent == [
        ReleaseTarget(at_s=1100, step_index=9),
        SetTargetPower(at_s=1340, watts=270, step_index=10),
    ]


def test_engine_absolute_watt_workouts_ignore_the_rider_ftp() -> None:
    workout = fixture_workout("erg/2x20m-76-90pct.erg")

    low = ride(IntervalEngine(workout, 150), range(4201))
    high = ride(IntervalEngine(workout, 400), range(4201))

    assert low == high
    assert commands(low)[0] == SetTargetPower(at_s=0, watts=104, step_index=0)


def test_engine_shows_each_text_cue_once_in_order_when_it_becomes_due() -> None:
    workout = fixture_workout("zwo/FTPTest.zwo")
    engine = IntervalEngine(workout, 250)

    shown = [a for a in ride(engine, range(4400)) if isinstance(a, ShowTextCue)]

    assert [cue.message for cue in shown] == [cue.message for cue in workout.text_cues]
    assert shown[0] == ShowTextCue(at_s=20, message="Welcome to the FTP test", duration_s=10)


def test_engine_emits_nothing_while_paused_and_resumes_where_it_stopped() -> None:
    engine = IntervalEngine(fixture_workout("zwo/FTPTest.zwo"), 250)
    ride(engine, range(16))

    during_pause = ride(engine, [15.0] * 100)
    after_resume = ride(engine, range(16, 21))

    assert during_pause == []
    assert ShowTextCue(at_s=20, message="Welcome to the FTP test", duration_s=10) in after_resume
    assert engine.elapsed_s == 20


def test_engine_catches_up_on_missed_cues_after_a_jump_but_sends_only_the_current_target() -> None:
    # The free ride starts at 2580 s; cues fall at 20, 35, 35, 1990, 2560, 2590, 2590 s.
    engine = IntervalEngine(fixture_workout("zwo/FTPTest.zwo"), 250)
    engine.advance(0)

    actions = engine.advance(2600)

    assert actions[0] == ReleaseTarget(at_s=2600, step_index=13)
    assert [a.at_s for a in actions[1:] if isinstance(a, ShowTextCue)] == [
        20,
        35,
        35,
        1990,
        2560,
        2590,
        2590,
    ]
    assert len(actions) == 8


def test_engine_finishes_once_at_the_end_of_the_workout() -> None:
    engine = IntervalEngine(fixture_workout("erg/RampTest.erg"), 250)
    ride(engine, range(600))

    at_end = engine.advance(600)
    afterwards = engine.advance(700)

    assert at_end == [WorkoutFinished(at_s=600)]
    assert afterwards == []
    assert engine.finished
    # The last ramp (460 -> 500 W over 9..10 min) reached 499.3 W on the final tick.
    assert engine.last_command == SetTargetPower(at_s=598, watts=499, step_index=9)


def test_engine_is_deterministic_for_the_same_ticks() -> None:
    workout = fixture_workout("erg/ERG_03_75pct.mrc")
    ticks = [t * 0.7 for t in range(5300)]

    first = ride(IntervalEngine(workout, 240), ticks)
    second = ride(IntervalEngine(workout, 240), ticks)

    assert first == second


def test_engine_rejects_time_going_backwards() -> None:
    engine = IntervalEngine(fixture_workout("zwo/SST.zwo"), 250)
    engine.advance(100)

    with pytest.raises(EngineError, match="went backwards from 100 s to 99"):
        engine.advance(99)


@pytest.mark.parametrize("ftp_w", [0, -1, float("inf")])
def test_engine_needs_a_positive_ftp(ftp_w: float) -> None:
    with pytest.raises(EngineError, match="ftp_w"):
        IntervalEngine(fixture_workout("zwo/SST.zwo"), ftp_w)


@pytest.mark.parametrize("elapsed_s", [-1, float("nan")])
def test_engine_rejects_impossible_times(elapsed_s: float) -> None:
    with pytest.raises(EngineError, match="elapsed_s"):
        IntervalEngine(fixture_workout("zwo/SST.zwo"), 250).advance(elapsed_s)
