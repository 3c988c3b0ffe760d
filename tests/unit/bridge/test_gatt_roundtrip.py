"""Encoders and decoders agree, and flag handling follows the Bluetooth specifications."""

from __future__ import annotations

import math

import pytest

from bridge.gatt import (
    CscMeasurement,
    CyclingPowerMeasurement,
    FitnessMachineFeature,
    GattDecodeError,
    GattEncodeError,
    HeartRateMeasurement,
    IndoorBikeData,
    IndoorBikeDataAssembler,
    SupportedPowerRange,
    SupportedResistanceLevelRange,
    decode_csc_measurement,
    decode_cycling_power_measurement,
    decode_fitness_machine_feature,
    decode_fitness_machine_status,
    decode_heart_rate_measurement,
    decode_indoor_bike_data,
    decode_supported_power_range,
    decode_supported_resistance_level_range,
    encode_csc_measurement,
    encode_cycling_power_measurement,
    encode_fitness_machine_feature,
    encode_fitness_machine_status,
    encode_heart_rate_measurement,
    encode_indoor_bike_data,
    encode_supported_power_range,
    encode_supported_resistance_level_range,
)
from bridge.gatt.fitness_machine import STATUS_EVENTS

FULL_BIKE_RECORD = IndoorBikeData(
    speed_kmh=32.74,
    average_speed_kmh=29.5,
    cadence_rpm=88.5,
    average_cadence_rpm=86.0,
    total_distance_m=42195,
    resistance=-3,
    power_w=301,
    average_power_w=250,
    energy_total_kcal=812,
    energy_per_hour_kcal=900,
    energy_per_minute_kcal=15,
    heart_rate_bpm=151,
    metabolic_equivalent=9.7,
    elapsed_s=5025,
    remaining_s=600,
)


def test_indoor_bike_data_round_trips_when_every_field_is_present() -> None:
    assert decode_indoor_bike_data(encode_indoor_bike_data(FULL_BIKE_RECORD)) == FULL_BIKE_RECORD


def test_indoor_bike_data_speed_is_present_when_flag_bit_0_is_clear() -> None:
    decoded = decode_indoor_bike_data(bytes([0x00, 0x00]) + (1234).to_bytes(2, "little"))

    assert decoded.as_values() == {"speed_kmh": 12.34}
    assert not decoded.more_data


def test_indoor_bike_data_has_no_speed_and_more_data_when_flag_bit_0_is_set() -> None:
    decoded = decode_indoor_bike_data(bytes([0x41, 0x00]) + (200).to_bytes(2, "little"))

    assert decoded.as_values() == {"power_w": 200}
    assert decoded.more_data


def test_encode_indoor_bike_data_sets_flag_bit_0_when_speed_is_absent() -> None:
    with_speed = encode_indoor_bike_data(IndoorBikeData(speed_kmh=20.0, power_w=150))
    without_speed = encode_indoor_bike_data(IndoorBikeData(power_w=150))

    assert with_speed[0] & 1 == 0
    assert without_speed[0] & 1 == 1


def test_indoor_bike_data_energy_is_absent_when_sent_as_not_available() -> None:
    flags = (1 << 8).to_bytes(2, "little")
    payload = flags + (2500).to_bytes(2, "little") + b"\xff\xff\xff\xff\xff"

    assert decode_indoor_bike_data(payload).as_values() == {"speed_kmh": 25.0}


def test_indoor_bike_data_is_rejected_when_bytes_follow_the_announced_fields() -> None:
    with pytest.raises(GattDecodeError, match="need 4 bytes, got 5"):
        decode_indoor_bike_data(bytes.fromhex("0000e80300"))


@pytest.mark.parametrize(
    "record",
    [
        IndoorBikeData(power_w=40000),
        IndoorBikeData(speed_kmh=-1.0),
        IndoorBikeData(speed_kmh=math.nan),
    ],
)
def test_encode_indoor_bike_data_raises_when_a_value_does_not_fit_its_field(
    record: IndoorBikeData,
) -> None:
    with pytest.raises(GattEncodeError):
        encode_indoor_bike_data(record)


def test_assembler_merges_a_two_part_record_when_the_last_part_arrives() -> None:
    assembler = IndoorBikeDataAssembler()
    first = decode_indoor_bike_data(
        encode_indoor_bike_data(IndoorBikeData(power_w=250, cadence_rpm=90.0))
    )
    last = decode_indoor_bike_data(
        encode_indoor_bike_data(IndoorBikeData(speed_kmh=35.2, heart_rate_bpm=140))
    )

    assert assembler.push(first) == []
    assert assembler.push(last) == [
        IndoorBikeData(speed_kmh=35.2, cadence_rpm=90.0, power_w=250, heart_rate_bpm=140)
    ]


def test_assembler_returns_a_single_part_record_at_once() -> None:
    record = IndoorBikeData(speed_kmh=30.0, power_w=200)

    assert IndoorBikeDataAssembler().push(record) == [record]


def test_assembler_closes_a_record_when_a_machine_without_speed_repeats_its_fields() -> None:
    assembler = IndoorBikeDataAssembler()
    first, second = IndoorBikeData(power_w=200), IndoorBikeData(power_w=210)

    assert assembler.push(first) == []
    assert assembler.push(second) == [first]
    assert assembler.flush() == second
    assert assembler.flush() is None


def test_cycling_power_measurement_round_trips_when_every_field_is_present() -> None:
    measurement = CyclingPowerMeasurement(
        power_w=-12,
        pedal_power_balance_pct=51.5,
        pedal_power_balance_left=True,
        accumulated_torque_nm=1234.5,
        accumulated_torque_from_crank=True,
        wheel_revolutions=4_000_000_000,
        last_wheel_event_2048=65535,
        crank_revolutions=65535,
        last_crank_event_1024=1,
        max_force_n=900,
        min_force_n=-50,
        max_torque_nm=80.25,
        min_torque_nm=-2.5,
        max_angle_deg=4095,
        min_angle_deg=181,
        top_dead_spot_deg=350,
        bottom_dead_spot_deg=170,
        accumulated_energy_kj=650,
        offset_compensation=True,
    )

    assert (
        decode_cycling_power_measurement(encode_cycling_power_measurement(measurement))
        == measurement
    )


def test_cycling_power_measurement_reads_the_packed_12_bit_extreme_angles() -> None:
    # flags bit 8, power 100 W, max angle 0x123, min angle 0x456 packed as 23 61 45
    payload = bytes.fromhex("00016400236145")

    decoded = decode_cycling_power_measurement(payload)

    assert (decoded.max_angle_deg, decoded.min_angle_deg) == (0x123, 0x456)


def test_cycling_power_measurement_hides_flag_only_fields_when_their_value_is_absent() -> None:
    assert decode_cycling_power_measurement(bytes.fromhex("0a00c800")).as_values() == {
        "power_w": 200
    }


def test_encode_cycling_power_measurement_raises_when_crank_data_is_half_given() -> None:
    with pytest.raises(GattEncodeError, match="together"):
        encode_cycling_power_measurement(CyclingPowerMeasurement(power_w=1, crank_revolutions=3))


@pytest.mark.parametrize(
    "measurement",
    [
        HeartRateMeasurement(heart_rate_bpm=72),
        HeartRateMeasurement(heart_rate_bpm=72, sensor_contact=False),
        HeartRateMeasurement(heart_rate_bpm=300, sensor_contact=True, energy_expended_kj=5),
        HeartRateMeasurement(heart_rate_bpm=180, sensor_contact=True, rr_1024=(333, 340, 329)),
    ],
)
def test_heart_rate_measurement_round_trips(measurement: HeartRateMeasurement) -> None:
    assert decode_heart_rate_measurement(encode_heart_rate_measurement(measurement)) == measurement


def test_heart_rate_sensor_contact_is_absent_when_the_strap_does_not_support_it() -> None:
    assert decode_heart_rate_measurement(bytes.fromhex("0048")).as_values() == {
        "heart_rate_bpm": 72,
        "rr_1024": [],
    }


@pytest.mark.parametrize(
    ("hex_payload", "reason"),
    [
        ("164854", "even number of bytes"),
        ("064854", "need 2 bytes, got 3"),
        ("1901", "need 5 bytes, got 2"),
    ],
)
def test_heart_rate_measurement_is_rejected_when_its_length_does_not_fit_its_flags(
    hex_payload: str, reason: str
) -> None:
    with pytest.raises(GattDecodeError, match=reason):
        decode_heart_rate_measurement(bytes.fromhex(hex_payload))


@pytest.mark.parametrize(
    "measurement",
    [
        CscMeasurement(wheel_revolutions=2**32 - 1, last_wheel_event_1024=7),
        CscMeasurement(crank_revolutions=12, last_crank_event_1024=65535),
        CscMeasurement(1, 2, 3, 4),
        CscMeasurement(),
    ],
)
def test_csc_measurement_round_trips(measurement: CscMeasurement) -> None:
    assert decode_csc_measurement(encode_csc_measurement(measurement)) == measurement


@pytest.mark.parametrize(("op_code", "event"), [(op, e[0]) for op, e in STATUS_EVENTS.items()])
def test_fitness_machine_status_round_trips_every_event(op_code: int, event: str) -> None:
    parameters = {field.name: 3 / field.divisor for field in STATUS_EVENTS[op_code][1]}

    decoded = decode_fitness_machine_status(encode_fitness_machine_status(event, **parameters))

    assert (decoded.op_code, decoded.event, dict(decoded.parameters)) == (
        op_code,
        event,
        parameters,
    )


def test_fitness_machine_status_decodes_simulation_parameters_with_their_resolutions() -> None:
    # op 0x12, wind -1.2 m/s, grade 5.5 %, crr 0.004, cw 0.51 kg/m
    decoded = decode_fitness_machine_status(bytes.fromhex("1250fb26022833"))

    assert decoded.as_values() == {
        "op_code": 0x12,
        "wind_speed_mps": -1.2,
        "grade_pct": 5.5,
        "crr": 0.004,
        "cw_kg_per_m": 0.51,
    }


def test_fitness_machine_status_names_a_reserved_op_code_instead_of_failing() -> None:
    decoded = decode_fitness_machine_status(bytes.fromhex("7b0102"))

    assert (decoded.event, decoded.as_values()) == ("unknown_0x7b", {"op_code": 0x7B})


def test_fitness_machine_status_is_rejected_when_a_parameter_is_missing() -> None:
    with pytest.raises(GattDecodeError, match="op code 0x08 need 3 bytes, got 2"):
        decode_fitness_machine_status(bytes.fromhex("08fa"))


def test_supported_ranges_round_trip() -> None:
    power = SupportedPowerRange(minimum_w=-50, maximum_w=2000, increment_w=5)
    resistance = SupportedResistanceLevelRange(minimum=0.0, maximum=25.4, increment=0.2)

    assert decode_supported_power_range(encode_supported_power_range(power)) == power
    assert (
        decode_supported_resistance_level_range(encode_supported_resistance_level_range(resistance))
        == resistance
    )


def test_supported_power_range_is_rejected_when_minimum_exceeds_maximum() -> None:
    with pytest.raises(GattDecodeError, match="not a range"):
        decode_supported_power_range(bytes.fromhex("e80364000100"))


def test_fitness_machine_feature_names_the_bits_the_spec_defines() -> None:
    # machine: cadence (bit 1) + power measurement (bit 14); target: power (3) + simulation (13)
    decoded = decode_fitness_machine_feature(bytes.fromhex("0240000008200000"))

    assert decoded.machine_features == {"cadence", "power_measurement"}
    assert decoded.target_setting_features == {"power_target", "indoor_bike_simulation"}


def test_fitness_machine_feature_round_trips() -> None:
    feature = FitnessMachineFeature(
        frozenset({"average_speed", "user_data_retention"}), frozenset({"targeted_cadence"})
    )

    assert decode_fitness_machine_feature(encode_fitness_machine_feature(feature)) == feature
