"""parse_workout: choosing the parser by file name, naming, and errors for unusable uploads."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.workouts import WorkoutError, WorkoutFileError, parse_workout

FIXTURES = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures"
WORKOUT_FILES = sorted([*FIXTURES.glob("zwo/*"), *FIXTURES.glob("erg/*")])


def test_fixture_directories_hold_the_eleven_workout_files() -> None:
    assert len(WORKOUT_FILES) == 11


@pytest.mark.parametrize("path", WORKOUT_FILES, ids=lambda path: path.name)
def test_every_fixture_workout_imports_with_steps_and_a_name(path: Path) -> None:
    workout = parse_workout(path.name, path.read_bytes())

    assert workout.steps
    assert workout.name
    assert workout.sport == "bike"
    assert workout.total_duration_s > 0


def test_extension_is_matched_case_insensitively_and_directories_are_ignored() -> None:
    data = (FIXTURES / "zwo" / "SST.zwo").read_bytes()

    workout = parse_workout("C:\\Users\\me\\Zwift\\Workouts\\SST.ZWO", data)

    assert workout.name == "Traditional SST"


def test_mrc_extension_reads_percentages_and_erg_reads_watts() -> None:
    data = b"[COURSE DATA]\n0 80\n10 80\n[END COURSE DATA]\n"

    assert parse_workout("a.mrc", data).target_at(0, 250) == pytest.approx(200)
    assert parse_workout("a.erg", data).target_at(0, 250) == pytest.approx(80)


def test_workout_without_a_name_is_named_after_the_file() -> None:
    data = b'<workout_file><workout><FreeRide Duration="600"/></workout></workout_file>'

    assert parse_workout("uploads/Easy Spin.zwo", data).name == "Easy Spin"


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("ride.fit", "ride.fit: unsupported file type '.fit'; expected one of .zwo, .erg, .mrc"),
        ("workout", "workout: unsupported file type '(no extension)'"),
    ],
)
def test_unknown_extension_is_rejected_naming_the_supported_ones(
    filename: str, expected: str
) -> None:
    with pytest.raises(WorkoutFileError) as info:
        parse_workout(filename, b"<workout_file/>")

    assert str(info.value).startswith(expected)


@pytest.mark.parametrize("filename", ["empty.zwo", "empty.erg", "empty.mrc"])
def test_empty_upload_is_rejected_for_every_format(filename: str) -> None:
    with pytest.raises(WorkoutFileError, match=f"^{filename}: the file is empty$"):
        parse_workout(f"/tmp/uploads/{filename}", b"")


def test_file_errors_are_value_errors_and_workout_errors() -> None:
    with pytest.raises(WorkoutFileError) as info:
        parse_workout("x.zwo", b"<workout_file>")

    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, WorkoutError)
    assert (info.value.source, info.value.line) == ("x.zwo", 1)
