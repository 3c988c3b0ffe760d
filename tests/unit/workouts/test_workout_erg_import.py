"""Importing .erg (watts) and .mrc (percent of FTP) course files."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.workouts import WorkoutFileError, parse_erg, parse_mrc

ERG_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "erg"


def load(name: str) -> bytes:
    return (ERG_DIR / name).read_bytes()


def course(data_lines: str, columns: str = "MINUTES WATTS", extra: str = "") -> bytes:
    return (
        f"[COURSE HEADER]\nVERSION = 2\n{columns}\n[END COURSE HEADER]\n"
        f"[COURSE DATA]\n{data_lines}\n[END COURSE DATA]\n{extra}"
    ).encode()


def test_two_by_twenty_lasts_until_its_last_data_point_at_70_minutes() -> None:
    workout = parse_erg(load("2x20m-76-90pct.erg"), source="2x20m-76-90pct.erg")

    assert workout.total_duration_s == 70.0 * 60
    assert workout.name == "260WFTPRider_2x20m@76-90%"
    assert workout.description == "2x20 Minute intervals at 76-90% of FTP L3"
    assert {step.unit for step in workout.steps} == {"watts"}


def test_erg_targets_are_absolute_watts_whatever_the_rider_ftp() -> None:
    workout = parse_erg(load("2x20m-76-90pct.erg"))

    assert workout.target_at(60, 180) == 104
    assert workout.target_at(60, 400) == 104
    assert workout.target_at(16 * 60, 250) == 208


def test_equal_consecutive_times_switch_the_target_instantly() -> None:
    # 0.0 104 / 2.0 104 / 2.0 130: a step from 104 W to 130 W exactly at 2:00.
    workout = parse_erg(load("2x20m-76-90pct.erg"))

    assert workout.target_at(119.9, 250) == 104
    assert workout.target_at(120, 250) == 130


def test_points_with_different_times_and_powers_form_a_linear_ramp() -> None:
    # 20.0 143 -> 20.8 203: halfway (20.4 min) is 173 W.
    workout = parse_erg(load("2x20m-76-90pct.erg"))

    assert workout.target_at(20.4 * 60, 250) == pytest.approx(173)
    ramp = workout.steps[workout.step_index_at(20.4 * 60) or 0]
    assert ramp.kind == "ramp"
    assert (ramp.power_start, ramp.power_end) == (143, 203)


def test_recovery_split_by_a_repeated_point_is_one_flat_five_minute_step() -> None:
    # 40.0 143 / 42.5 143 / 42.5 143 / 45.0 143
    workout = parse_erg(load("2x20m-76-90pct.erg"))

    index = workout.step_index_at(40 * 60)
    assert index is not None
    recovery = workout.steps[index]
    assert (recovery.start_s, recovery.duration_s, recovery.kind) == (2400, 300, "steady")
    assert recovery.power_start == recovery.power_end == 143


def test_ramp_test_rises_ten_watts_every_fifteen_seconds_ignoring_lap_markers() -> None:
    workout = parse_erg(load("RampTest.erg"))

    assert workout.total_duration_s == 10 * 60
    targets = workout.targets_by_second(250)
    assert [targets[15 * k] for k in range(40)] == pytest.approx([100 + 10 * k for k in range(40)])
    assert workout.name == "Ramp"


def test_mrc_percentages_become_fractions_of_the_rider_ftp() -> None:
    workout = parse_mrc(load("ERG_03_75pct.mrc"))

    assert {step.unit for step in workout.steps} == {"ftp_fraction"}
    # "0.0 0 / 0.0 47": the zero-length first segment is only a step change into 47 %.
    assert workout.target_at(0, 240) == pytest.approx(0.47 * 240)
    # 10.0 150 -> 13.0 93: at 11.5 min the target is 121.5 % of FTP.
    assert workout.target_at(11.5 * 60, 240) == pytest.approx(1.215 * 240)
    assert workout.target_at(11.5 * 60, 300) == pytest.approx(1.215 * 300)


def test_mrc_lasts_until_its_last_data_point() -> None:
    assert parse_mrc(load("ERG_03_75pct.mrc")).total_duration_s == 60.5 * 60
    assert parse_mrc(load("TRwithTextCues.mrc")).total_duration_s == pytest.approx(51.88 * 60)


def test_course_text_becomes_cues_at_their_time_in_seconds() -> None:
    workout = parse_mrc(load("TRwithTextCues.mrc"))

    assert [(cue.at_s, cue.message, cue.duration_s) for cue in workout.text_cues] == [
        (600, "This is a new message", 10),
        (615, "This message will show up at 10:15 into the workout", 10),
    ]


def test_course_text_without_tabs_splits_time_message_and_duration() -> None:
    extra = "[COURSE TEXT]\n30 Spin up 5\n60 Easy now\n[END COURSE TEXT]\n"

    workout = parse_erg(course("0 100\n2 100", extra=extra))

    assert [(cue.at_s, cue.message, cue.duration_s) for cue in workout.text_cues] == [
        (30, "Spin up", 5),
        (60, "Easy now", 10),
    ]


def test_header_columns_line_decides_the_unit_over_the_extension() -> None:
    workout = parse_erg(course("0 50\n10 50", columns="MINUTES PERCENT"))

    assert workout.target_at(0, 300) == pytest.approx(150)


def test_missing_file_name_falls_back_to_the_description_for_the_name() -> None:
    data = b"[COURSE HEADER]\nDESCRIPTION = Easy spin\n[END COURSE HEADER]\n"
    data += b"[COURSE DATA]\n0 100\n30 100\n[END COURSE DATA]\n"

    assert parse_erg(data).name == "Easy spin"


def test_truncated_erg_is_rejected_instead_of_giving_a_shorter_workout() -> None:
    data = load("2x20m-76-90pct.erg")
    cut_after_a_whole_line = data[: data.index(b"40.0\t225")]

    with pytest.raises(WorkoutFileError, match="ends inside \\[COURSE DATA\\]"):
        parse_erg(cut_after_a_whole_line, source="2x20.erg")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "bad.erg: the file is empty"),
        (course("0 100\n1 lots"), "bad.erg, line 7: power value 'lots' is not a number"),
        (course("0 100\nten 100"), "bad.erg, line 7: time in minutes 'ten' is not a number"),
        (course("0 100\n2 100\n1 100"), "bad.erg, line 8: time 1 min goes backwards"),
        (course("0 100\n1 -5"), "bad.erg, line 7: power value '-5' must be a finite number"),
        (course("1 100\n2 100"), "bad.erg, line 6: the first point must be at 0 minutes"),
        (course("0 100\n1 100 90"), "bad.erg, line 7: expected '<minutes> <value>'"),
        (course("0 100\n1500 100"), "bad.erg, line 7: time 1500 min is beyond 24 h"),
        (course("0 100"), "bad.erg: the workout is empty"),
        (course("0 100\n0 200"), "bad.erg: the workout is empty"),
        (course("0 100\n1 100", columns="MILES GRADE WIND"), "bad.erg, line 3: unsupported"),
        (b"[COURSE HEADER]\n[END COURSE HEADER]\n", "bad.erg: there is no [COURSE DATA]"),
        (b"0 100\n", "bad.erg, line 1: text outside any [SECTION]"),
        (b"[COURSE LAPS]\n", "bad.erg, line 1: unknown section [COURSE LAPS]"),
        (b"[COURSE DATA]\n0 100\n[COURSE TEXT]\n", "line 3: [COURSE TEXT] starts before"),
        (b"[COURSE DATA]\n0 1\n1 1\n[END COURSE TEXT]\n", "line 4: [END COURSE TEXT] does not"),
        (
            course("0 100\n1 100", extra="[COURSE TEXT]\nsoon\tHello\t10\n[END COURSE TEXT]"),
            "bad.erg, line 10: cue time in seconds 'soon' is not a number",
        ),
        (b"[COURSE DATA]\n0 \x81\n", "neither UTF-8 nor cp1252"),
    ],
)
def test_malformed_course_file_is_rejected_with_file_line_and_problem(
    data: bytes, expected: str
) -> None:
    with pytest.raises(WorkoutFileError) as info:
        parse_erg(data, source="bad.erg")

    assert expected in str(info.value)


def test_cp1252_description_in_a_course_file_is_decoded() -> None:
    data = b"[COURSE HEADER]\r\nDESCRIPTION = Tempo \x96 caf\xe9\r\n[END COURSE HEADER]\r\n"
    data += b"[COURSE DATA]\r\n0\t60\r\n10\t60\r\n[END COURSE DATA]\r\n"

    assert parse_mrc(data).description == "Tempo \u2013 caf\xe9"
