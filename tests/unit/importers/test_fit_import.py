"""FIT decoding: damaged files are refused whole, odd layouts decode, records match an oracle."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.importers.fit import ImportedRide, RideFileError, read_fit_ride

FIT = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "fit"
EDGE_810 = FIT / "Edge810-Vector-2013-08-16-15-35-10.fit"
ELEMNT = "2019-02-17-062644-ELEMNT-297E-195-0.fit"
COROS = "coros-pace-2-cycling-misaligned-fields.fit"
EDGE_820 = FIT / "garmin-edge-820-bike.fit"
FitRide = Callable[[str], ImportedRide]
PDT = dt.timezone(dt.timedelta(hours=-7))


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("activity-unexpected-eof.fit", "truncated FIT file"),
        ("activity-settings-corruptheader.fit", "bad FIT header"),
    ],
)
def test_read_fit_ride_refuses_a_broken_fixture_naming_file_and_problem(
    name: str, problem: str
) -> None:
    with pytest.raises(RideFileError, match=problem) as refused:
        read_fit_ride(FIT / name)
    assert name in str(refused.value)


def test_read_fit_ride_refuses_a_file_cut_short() -> None:
    data = EDGE_810.read_bytes()
    with pytest.raises(RideFileError, match=r"truncated FIT file: .* announces 148037 bytes"):
        read_fit_ride(data[:-100])


def test_read_fit_ride_refuses_a_file_with_one_flipped_bit() -> None:
    data = bytearray(EDGE_810.read_bytes())
    data[70_000] ^= 0x04
    with pytest.raises(RideFileError, match="CRC mismatch"):
        read_fit_ride(bytes(data))


@pytest.mark.parametrize("data", [b"", b"not a FIT file at all, just some text"])
def test_read_fit_ride_refuses_bytes_that_are_not_fit(data: bytes) -> None:
    with pytest.raises(RideFileError):
        read_fit_ride(data)


def test_ride_file_error_is_a_value_error() -> None:
    assert issubclass(RideFileError, ValueError)


def test_read_fit_ride_gives_the_same_ride_from_a_path_or_its_bytes() -> None:
    assert read_fit_ride(EDGE_820.read_bytes()) == read_fit_ride(EDGE_820)


def _oracle_rows() -> list[dict[str, str]]:
    with (FIT / "garmin-edge-820-bike-records.csv").open(newline="") as file:
        return list(csv.DictReader(file))


def test_edge_820_records_match_the_independently_decoded_csv() -> None:
    ride = read_fit_ride(EDGE_820)
    rows = _oracle_rows()
    assert len(ride.records) == len(rows)
    for (offset, values), row in zip(ride.records, rows, strict=True):
        moment = dt.datetime.strptime(row["timestamp"], "%a %b %d %H:%M:%S PDT %Y")
        assert ride.start_time + dt.timedelta(seconds=offset) == moment.replace(tzinfo=PDT)
        assert values["heart_rate_bpm"] == float(row["heart_rate"])
        assert values["cadence_rpm"] == float(row["cadence"])
        assert values["speed_kmh"] == pytest.approx(float(row["speed"]) * 3.6)
        assert values["distance_m"] == pytest.approx(float(row["distance"]))
        assert values["altitude_m"] == pytest.approx(float(row["altitude"]))
        assert values["temperature_c"] == float(row["temperature"])
        assert values["latitude_deg"] == pytest.approx(float(row["position_lat"]) * 180 / 2**31)
        assert values["longitude_deg"] == pytest.approx(float(row["position_long"]) * 180 / 2**31)


def test_edge_820_reads_ftp_from_zones_target_and_rr_intervals_from_hrv() -> None:
    ride = read_fit_ride(EDGE_820)
    assert ride.threshold_power_w == 400.0
    assert ride.max_hr_bpm == 183.0
    assert ride.rr_ms[:2] == pytest.approx((594.0, 588.0))
    assert all(300.0 <= rr <= 2000.0 for rr in ride.rr_ms)


def test_coros_file_with_misaligned_fields_decodes_every_record(fit_ride: FitRide) -> None:
    # Another decoder's test suite counts 10305 records with a position and 967 without.
    ride = fit_ride(COROS)
    with_position = [v for _, v in ride.records if "latitude_deg" in v]
    assert len(ride.records) == 10305 + 967
    assert len(with_position) == 10305
    assert all(4.0 < v["latitude_deg"] < 5.0 for v in with_position)
    assert all(-75.0 < v["longitude_deg"] < -73.0 for v in with_position)
    offsets = [t for t, _ in ride.records]
    assert offsets == sorted(offsets)
    assert ride.head_unit is not None
    assert offsets[-1] + 1 == ride.head_unit.elapsed_s


def test_coros_file_heart_rate_stays_within_the_sessions_own_min_and_max(fit_ride: FitRide) -> None:
    ride = fit_ride(COROS)
    heart_rates = [v["heart_rate_bpm"] for _, v in ride.records if "heart_rate_bpm" in v]
    assert (min(heart_rates), max(heart_rates)) == (80.0, 168.0)


def _assert_pauses_match_timer(ride: ImportedRide, expected_count: int) -> None:
    assert len(ride.pauses) == expected_count
    assert ride.head_unit is not None
    assert ride.head_unit.elapsed_s is not None and ride.head_unit.timer_s is not None
    stopped = sum(p.duration_s for p in ride.pauses)
    assert stopped == pytest.approx(ride.head_unit.elapsed_s - ride.head_unit.timer_s, abs=10)
    for pause in ride.pauses:
        assert not any(pause.start_offset_s < t < pause.end_offset_s for t, _ in ride.records)


def test_coros_file_has_five_timer_pauses_covering_the_stopped_time(fit_ride: FitRide) -> None:
    _assert_pauses_match_timer(fit_ride(COROS), expected_count=5)


def test_elemnt_pauses_cover_the_stopped_time_and_records_the_timer_time(fit_ride: FitRide) -> None:
    ride = fit_ride(ELEMNT)
    assert ride.head_unit is not None
    assert len(ride.records) == ride.head_unit.timer_s
    _assert_pauses_match_timer(ride, expected_count=len(ride.pauses))
    assert len(ride.pauses) > 30


def test_edge_810_ride_has_laps_ftp_device_and_one_second_records(fit_ride: FitRide) -> None:
    ride = fit_ride(EDGE_810.name)
    assert ride.threshold_power_w == 315.0
    assert (ride.device.manufacturer, ride.device.product) == ("garmin", "edge810")
    assert ride.sport == "cycling"
    assert ride.start_time.tzinfo is not None and ride.start_time.utcoffset() == dt.timedelta(0)
    assert len(ride.laps) == 8
    assert ride.laps[0].start_offset_s == 0.0
    starts = [lap.start_offset_s for lap in ride.laps]
    assert starts == sorted(starts)
    assert [t for t, _ in ride.records] == [float(k) for k in range(len(ride.records))]
    assert all("power_w" in v for _, v in ride.records)
    assert ride.pauses == ()


def test_elemnt_ride_reads_ftp_from_the_session_and_names_the_device(fit_ride: FitRide) -> None:
    ride = fit_ride(ELEMNT)
    assert ride.threshold_power_w == 220.0
    assert ride.device.manufacturer == "wahoo_fitness"
    assert ride.device.product == "ELEMNT"
