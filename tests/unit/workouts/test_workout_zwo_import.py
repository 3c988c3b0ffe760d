"""Importing Zwift .zwo files: the real fixtures and malformed variants of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.workouts import WorkoutFileError, parse_zwo

ZWO_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "zwo"
FTP_W = 250.0


def load(name: str) -> bytes:
    return (ZWO_DIR / name).read_bytes()


def test_ftp_test_lasts_73_minutes_when_all_blocks_are_added_up() -> None:
    # 1200 warmup + 9x20 ramps + 300 + 300 + 600 + 1200 free ride + 600 cooldown
    workout = parse_zwo(load("FTPTest.zwo"), source="FTPTest.zwo")

    assert workout.total_duration_s == 4380
    assert workout.name == "FTP Test"
    assert workout.sport == "bike"


def test_ftp_test_keeps_every_text_event_at_its_absolute_time() -> None:
    workout = parse_zwo(load("FTPTest.zwo"))

    assert len(workout.text_cues) == 3 + 2 + 13
    first = workout.text_cues[0]
    assert (first.at_s, first.message) == (20, "Welcome to the FTP test")
    # The free ride starts at 1200 + 180 + 300 + 300 + 600 = 2580 s; its cue is at +300 s.
    how = next(cue for cue in workout.text_cues if cue.message == "How ya doin?")
    assert (how.at_s, how.duration_s) == (2880, 10)
    last = workout.text_cues[-1]
    assert (last.at_s, last.message) == (2580 + 1190, "10 seconds.")


def test_ftp_test_free_ride_has_no_erg_target_when_ridden() -> None:
    workout = parse_zwo(load("FTPTest.zwo"))

    assert workout.target_at(2580, FTP_W) is None
    assert workout.target_at(3779, FTP_W) is None
    assert workout.target_at(3780, FTP_W) == pytest.approx(0.7 * FTP_W)


def test_ftp_test_warmup_ramps_linearly_from_power_low_to_power_high() -> None:
    workout = parse_zwo(load("FTPTest.zwo"))

    assert workout.target_at(0, FTP_W) == pytest.approx(0.3 * FTP_W)
    assert workout.target_at(600, FTP_W) == pytest.approx(0.5 * FTP_W)
    assert workout.target_at(900, FTP_W) == pytest.approx(0.6 * FTP_W)


def test_steady_state_with_a_power_band_targets_the_middle_of_the_band() -> None:
    workout = parse_zwo(load("FTPTest.zwo"))

    # <SteadyState Duration="20" PowerLow="0.8" PowerHigh="1.0"> right after the warmup.
    assert workout.target_at(1200, FTP_W) == pytest.approx(0.9 * FTP_W)
    assert workout.target_at(1219, FTP_W) == pytest.approx(0.9 * FTP_W)
    assert workout.target_at(1220, FTP_W) == pytest.approx(1.1 * FTP_W)


def test_cooldown_ramps_down_when_power_low_is_the_higher_value() -> None:
    workout = parse_zwo(load("FTPTest.zwo"))

    cooldown = workout.steps[-1]
    assert cooldown.kind == "cooldown"
    assert (cooldown.power_start, cooldown.power_end) == (0.7, 0.3)
    assert workout.target_at(3780 + 300, FTP_W) == pytest.approx(0.5 * FTP_W)


def test_cooldown_ramps_down_when_power_low_is_the_lower_value() -> None:
    data = b"""<workout_file><workout>
    <Cooldown Duration="100" PowerLow="0.4" PowerHigh="0.6"/>
    </workout></workout_file>"""

    workout = parse_zwo(data)

    assert workout.target_at(0, 100) == pytest.approx(60)
    assert workout.target_at(50, 100) == pytest.approx(50)


def test_mayfield_intervals_repeat_twice_on_and_off_at_band_middles() -> None:
    workout = parse_zwo(load("Mayfield.zwo"))

    on = [step for step in workout.steps if step.kind == "interval_on"]
    off = [step for step in workout.steps if step.kind == "interval_off"]
    assert [step.start_s for step in on] == [300, 390]
    assert [step.start_s for step in off] == [360, 450]
    assert all(step.duration_s == 60 for step in on)
    assert all(step.duration_s == 30 for step in off)
    assert workout.target_at(330, 200) == pytest.approx(1.5 * 200)
    assert workout.target_at(370, 200) == pytest.approx(0.65 * 200)


def test_mayfield_fits_in_thirty_minutes_as_its_description_promises() -> None:
    # 300 + 2x(60+30) + 120+10+60+10+60+10 + 240 + 600 + 180
    workout = parse_zwo(load("Mayfield.zwo"))

    assert workout.total_duration_s == 1770
    assert workout.text_cues == ()


def test_intervals_t_with_on_and_off_power_repeats_the_requested_number_of_times() -> None:
    data = b"""<workout_file><workout>
    <IntervalsT Repeat="6" OnDuration="40" OffDuration="20" OnPower="1.2" OffPower="0.5"
                Cadence="100" CadenceResting="85"/>
    </workout></workout_file>"""

    workout = parse_zwo(data)

    kinds = [step.kind for step in workout.steps]
    assert kinds == ["interval_on", "interval_off"] * 6
    assert workout.total_duration_s == 6 * 60
    assert {step.cadence for step in workout.steps if step.kind == "interval_on"} == {100}
    assert {step.cadence for step in workout.steps if step.kind == "interval_off"} == {85}


def test_text_events_inside_intervals_are_relative_to_the_block_start() -> None:
    data = b"""<workout_file><workout>
    <SteadyState Duration="100" Power="0.5"/>
    <IntervalsT Repeat="2" OnDuration="30" OffDuration="30" OnPower="1" OffPower="0.5">
        <textevent timeoffset="70" message="second effort"/>
        <textevent message="go"/>
    </IntervalsT>
    </workout></workout_file>"""

    workout = parse_zwo(data)

    assert [(cue.at_s, cue.message) for cue in workout.text_cues] == [
        (100, "go"),
        (170, "second effort"),
    ]


def test_tempo_bursts_has_twelve_bursts_and_two_free_rides() -> None:
    # 600 warmup + 12 x (120 + 5) + 2 x 240 free ride + 600 cooldown
    workout = parse_zwo(load("TempoBursts.zwo"))

    assert workout.total_duration_s == 3180
    bursts = [step for step in workout.steps if step.power_start == 1.731]
    assert len(bursts) == 12
    assert all(step.duration_s == 5 for step in bursts)
    assert sum(step.kind == "freeride" for step in workout.steps) == 2
    assert workout.target_at(bursts[0].start_s, 300) == pytest.approx(519.3)


def test_negative_split_and_sst_workouts_add_up_to_their_block_durations() -> None:
    negative_split = parse_zwo(load("3x10x5-NegativeSplit.zwo"))
    sst = parse_zwo(load("SST.zwo"))

    assert negative_split.total_duration_s == 300 + 3 * 600 + 2 * 300 + 300
    assert [s.power_start for s in negative_split.steps if s.kind == "steady"] == [
        0.83,
        0.9,
        0.97,
    ]
    assert sst.total_duration_s == 600 + 2700 + 600
    assert sst.author == "B.Cheung"


def test_step_test_reaches_six_times_ftp_in_its_last_stage() -> None:
    # 600 s free ride + 19 stages of 150 s from 1.5 to 6.0 x FTP; the test asks for FTP 100 W.
    workout = parse_zwo(load("ZWIFT_STEP_TEST_pb_HPTek.zwo"))

    assert workout.total_duration_s == 600 + 19 * 150
    assert workout.author == "Shane Miller Dr. Stephen Lane"
    assert [(cue.at_s, cue.message) for cue in workout.text_cues] == [
        (0, "Warm Up: 10 minute FREE RIDE")
    ]
    assert workout.target_at(600, 100) == pytest.approx(150)
    assert workout.target_at(600 + 18 * 150, 100) == pytest.approx(600)


def test_cp1252_file_without_declaration_imports_with_its_curly_quotes() -> None:
    workout = parse_zwo(load("Sufferfest-Fight-Club.zwo"))

    assert workout.name == "Sufferfest - Fight Club"
    assert "23 (!) \u2018attacks\u2019" in workout.description
    assert "Here\u2019s what you\u2019ll get" in workout.description
    # 71 SteadyState blocks of fractional durations, summed by hand: 3547.2 s.
    assert len(workout.steps) == 71
    assert workout.total_duration_s == pytest.approx(3547.2)


def test_crlf_files_give_descriptions_with_plain_newlines() -> None:
    workout = parse_zwo(load("FTPTest.zwo"))

    assert "\r" not in workout.description
    assert workout.description.endswith("you will be notified if your FTP improved.")


def test_declared_encoding_is_honoured_when_present() -> None:
    data = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><workout_file><name>Caf\xe9</name>'
        '<workout><SteadyState Duration="60" Power="0.5"/></workout></workout_file>'
    ).encode("latin-1")

    assert parse_zwo(data).name == "Caf\xe9"


def test_truncated_xml_is_rejected_with_the_line_where_it_breaks() -> None:
    data = load("FTPTest.zwo")

    with pytest.raises(WorkoutFileError, match=r"FTPTest\.zwo, line \d+, column \d+") as info:
        parse_zwo(data[: len(data) // 2], source="FTPTest.zwo")

    assert "malformed XML" in str(info.value)


def test_non_numeric_power_names_the_attribute_line_and_element() -> None:
    data = load("TempoBursts.zwo").replace(b'Power="1.731"', b'Power="max"', 1)

    with pytest.raises(WorkoutFileError) as info:
        parse_zwo(data, source="TempoBursts.zwo")

    assert str(info.value) == (
        "TempoBursts.zwo, line 12, <SteadyState>: attribute Power='max' is not a number"
    )


def test_unknown_element_is_an_error_rather_than_a_silently_different_workout() -> None:
    data = load("SST.zwo").replace(b"<SteadyState", b"<SolidState", 1)

    with pytest.raises(WorkoutFileError, match=r"SST\.zwo, line 10, <SolidState>: unknown"):
        parse_zwo(data, source="SST.zwo")


@pytest.mark.parametrize(
    ("step_xml", "expected"),
    [
        ('<SteadyState Power="0.5"/>', "missing required attribute Duration"),
        ('<SteadyState Duration="-60" Power="0.5"/>', "a duration must be > 0 s"),
        ('<SteadyState Duration="0" Power="0.5"/>', "a duration must be > 0 s"),
        ('<SteadyState Duration="60"/>', "missing power"),
        ('<SteadyState Duration="nan" Power="0.5"/>', "not a finite number"),
        ('<SteadyState Duration="60" Power="-0.5"/>', "must be >= 0"),
        ('<Ramp Duration="60" PowerLow="x" PowerHigh="1"/>', "PowerLow='x' is not a number"),
        (
            '<IntervalsT Repeat="2.5" OnDuration="30" OnPower="1"/>',
            "Repeat='2.5' must be a whole number",
        ),
        ('<IntervalsT Repeat="2" OnPower="1"/>', "missing required attribute OnDuration"),
        (
            '<IntervalsT Repeat="2" OnDuration="30" OffDuration="30" OnPower="1"/>',
            "needs OffPower or PowerOffLow/PowerOffHigh",
        ),
        ('<FreeRide Duration="60"><music/></FreeRide>', "unknown element <music> inside"),
        ('<FreeRide Duration="60"><textevent timeoffset="5"/></FreeRide>', "no message"),
        ('<SteadyState Duration="60" Power="0.5" Cadence="fast"/>', "Cadence='fast'"),
    ],
)
def test_invalid_step_is_rejected_with_a_precise_message(step_xml: str, expected: str) -> None:
    data = f"<workout_file>\n<workout>\n{step_xml}\n</workout></workout_file>".encode()

    with pytest.raises(WorkoutFileError, match=r"^bad\.zwo, line 3, <\w+>: ") as info:
        parse_zwo(data, source="bad.zwo")

    assert expected in str(info.value)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "the file is empty"),
        (b"  \r\n ", "the file is empty"),
        (b"<workout_file><name>x</name></workout_file>", "there is no <workout> element"),
        (b"<workout_file><workout>\n</workout></workout_file>", "the workout is empty"),
        (b"<workout><SteadyState Duration='1' Power='1'/></workout>", "root element must be"),
        (
            b"<workout_file><sportType>run</sportType><workout/></workout_file>",
            "sportType 'run' is not supported",
        ),
        (
            b"<?xml version='1.0'?><!DOCTYPE w [<!ENTITY a 'b'>]><workout_file/>",
            "DOCTYPE declarations are not accepted",
        ),
        (
            b"<workout_file><durationType>distance</durationType><workout/></workout_file>",
            "durationType 'distance' is not supported",
        ),
        (
            b"<workout_file><workout><IntervalsT Repeat='1000000' OnDuration='1' OnPower='1'/>"
            b"</workout></workout_file>",
            "more than 10000 steps",
        ),
        (
            b"<workout_file><workout><SteadyState Duration='90000' Power='1'/>"
            b"</workout></workout_file>",
            "lasts more than 24 h",
        ),
        (b"<workout_file><name>\x81</name></workout_file>", "neither UTF-8 nor cp1252"),
        (
            b"<?xml version='1.0' encoding='UTF-8'?><workout_file><name>\xe9</name>",
            "byte 0xe9 at offset 58 is not valid UTF-8",
        ),
        (
            b"<?xml version='1.0' encoding='klingon'?><workout_file/>",
            "unknown encoding 'klingon'",
        ),
    ],
)
def test_unusable_file_is_rejected_with_a_helpful_message(data: bytes, expected: str) -> None:
    with pytest.raises(WorkoutFileError) as info:
        parse_zwo(data, source="upload.zwo")

    assert str(info.value).startswith("upload.zwo")
    assert expected in str(info.value)
