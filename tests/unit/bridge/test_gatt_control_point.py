"""Fitness Machine Control Point requests and responses, byte for byte as FTMS defines them."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from bridge.gatt import (
    GattDecodeError,
    GattEncodeError,
    SupportedPowerRange,
    clamp_target_power,
    decode_characteristic,
    decode_control_point_request,
    decode_control_point_response,
    encode_request_control,
    encode_reset,
    encode_set_indoor_bike_simulation,
    encode_set_target_power,
    encode_set_target_resistance,
    encode_start_or_resume,
    encode_stop_or_pause,
)


@pytest.mark.parametrize(
    ("payload", "expected_hex"),
    [
        (encode_request_control(), "00"),
        (encode_reset(), "01"),
        (encode_set_target_resistance(12.3), "047b"),
        (encode_set_target_power(250), "05fa00"),
        (encode_set_target_power(-20), "05ecff"),
        (encode_start_or_resume(), "07"),
        (encode_stop_or_pause(), "0801"),
        (encode_stop_or_pause(pause=True), "0802"),
        (
            encode_set_indoor_bike_simulation(
                grade_pct=5.5, wind_speed_mps=-1.2, crr=0.004, cw_kg_per_m=0.51
            ),
            "1150fb26022833",
        ),
    ],
)
def test_control_point_encoders_produce_the_ftms_byte_layout(
    payload: bytes, expected_hex: str
) -> None:
    assert payload.hex() == expected_hex


@pytest.mark.parametrize(
    "encode",
    [
        lambda: encode_set_target_power(40000),
        lambda: encode_set_target_power(math.nan),
        lambda: encode_set_target_resistance(25.6),
        lambda: encode_set_target_resistance(-0.1),
        lambda: encode_set_indoor_bike_simulation(grade_pct=400.0),
        lambda: encode_set_indoor_bike_simulation(grade_pct=2.0, crr=0.03),
        lambda: encode_set_indoor_bike_simulation(grade_pct=2.0, cw_kg_per_m=-0.1),
        lambda: encode_set_indoor_bike_simulation(grade_pct=math.inf),
    ],
)
def test_control_point_encoders_raise_when_a_parameter_does_not_fit_its_field(
    encode: Callable[[], object],
) -> None:
    with pytest.raises(GattEncodeError):
        encode()


def test_control_point_encoder_rounds_a_value_to_the_field_resolution() -> None:
    assert encode_set_indoor_bike_simulation(grade_pct=1.234).hex()[6:10] == "7b00"


@pytest.mark.parametrize(
    ("watts", "power_range", "expected"),
    [
        (2500, SupportedPowerRange(0, 2000, 1), 2000),
        (-10, SupportedPowerRange(0, 2000, 1), 0),
        (250.4, SupportedPowerRange(0, 2000, 1), 250),
        (252, SupportedPowerRange(100, 1000, 5), 250),
        (253, SupportedPowerRange(100, 1000, 5), 255),
        (20, SupportedPowerRange(100, 1000, 5), 100),
        (998, SupportedPowerRange(0, 998, 5), 995),
    ],
)
def test_clamp_target_power_gives_the_nearest_power_the_trainer_accepts(
    watts: float, power_range: SupportedPowerRange, expected: int
) -> None:
    assert clamp_target_power(watts, power_range) == expected


def test_clamp_target_power_raises_when_the_target_is_not_a_number() -> None:
    with pytest.raises(GattEncodeError):
        clamp_target_power(math.nan, SupportedPowerRange(0, 2000, 1))


@pytest.mark.parametrize(
    ("hex_payload", "expected"),
    [
        ("800001", (0x00, 1, "success")),
        ("800502", (0x05, 2, "not_supported")),
        ("801103", (0x11, 3, "invalid_parameter")),
        ("800704", (0x07, 4, "operation_failed")),
        ("800505", (0x05, 5, "control_not_permitted")),
        ("800509", (0x05, 9, "reserved_0x09")),
    ],
)
def test_control_point_response_decodes_request_op_and_result(
    hex_payload: str, expected: tuple[int, int, str]
) -> None:
    response = decode_control_point_response(bytes.fromhex(hex_payload))

    assert (response.request_op_code, response.result_code, response.result) == expected
    assert response.succeeded == (expected[1] == 1)


@pytest.mark.parametrize("hex_payload", ["", "80", "8005", "050501"])
def test_control_point_response_is_rejected_when_it_is_not_80_op_result(hex_payload: str) -> None:
    with pytest.raises(GattDecodeError):
        decode_control_point_response(bytes.fromhex(hex_payload))


def test_decode_characteristic_reads_a_control_point_indication() -> None:
    assert decode_characteristic("fitness_machine_control_point", bytes.fromhex("800501")) == {
        "request_op_code": 5,
        "result_code": 1,
    }


def test_control_point_request_decoder_reads_back_what_the_encoders_wrote() -> None:
    request = decode_control_point_request(
        encode_set_indoor_bike_simulation(grade_pct=-3.25, wind_speed_mps=2.5, crr=0.005)
    )

    assert request.parameters == {
        "wind_speed_mps": 2.5,
        "grade_pct": -3.25,
        "crr": 0.005,
        "cw_kg_per_m": 0.51,
    }


def test_control_point_request_decoder_rejects_a_parameter_of_the_wrong_length() -> None:
    with pytest.raises(GattDecodeError, match="op code 0x05 need 3 bytes, got 2"):
        decode_control_point_request(bytes.fromhex("05fa"))


def test_control_point_request_decoder_marks_an_op_code_it_has_no_layout_for() -> None:
    request = decode_control_point_request(bytes.fromhex("0a1234"))

    assert (request.known, request.raw_parameters) == (False, b"\x12\x34")
