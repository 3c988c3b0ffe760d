"""The codecs against payloads captured by other projects (../shared/fixtures/ble)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from bridge.gatt import (
    GattDecodeError,
    cadence_from_crank,
    csc_rates,
    decode_characteristic,
    decode_csc_measurement,
    decode_cycling_power_measurement,
)

FIXTURES = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures"
VECTORS: dict[str, Any] = json.loads((FIXTURES / "ble" / "vectors.json").read_text())
GROUPS = {
    "indoor_bike_data_2AD2": "2AD2",
    "cycling_power_measurement_2A63": "2A63",
    "heart_rate_measurement_2A37": "2A37",
    "csc_measurement_2A5B": "2A5B",
}
TRACE_WHEEL_MM = 2118  # the CSC production trace was recorded with a 2.118 m wheel


def _cases() -> list[Any]:
    return [
        pytest.param(characteristic, vector, id=f"{group}-{index}")
        for group, characteristic in GROUPS.items()
        for index, vector in enumerate(VECTORS[group])
    ]


def _frame_values(expect: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in expect.items() if not key.endswith("_from_previous")}


@pytest.mark.parametrize(("characteristic", "vector"), _cases())
def test_decode_characteristic_gives_the_published_values_when_given_a_real_vector(
    characteristic: str, vector: dict[str, Any]
) -> None:
    decoded = decode_characteristic(characteristic, bytes.fromhex(vector["hex"]))

    expected = _frame_values(vector["expect"])
    assert {key: decoded.get(key) for key in expected} == expected


@pytest.mark.parametrize(("characteristic", "vector"), _cases())
def test_decode_characteristic_returns_only_fields_the_frame_carries_when_decoding_a_vector(
    characteristic: str, vector: dict[str, Any]
) -> None:
    decoded = decode_characteristic(characteristic, bytes.fromhex(vector["hex"]))

    # Every vector lists all the fields its flags announce, except the Rave frame (flags
    # 0x1ffe) whose energy and MET fields are not in the published expectation.
    extra = set(decoded) - set(_frame_values(vector["expect"]))
    assert extra <= {
        "energy_total_kcal",
        "energy_per_hour_kcal",
        "energy_per_minute_kcal",
        "metabolic_equivalent",
    }


@pytest.mark.parametrize(
    "vector", VECTORS["malformed"], ids=[m["why"] for m in VECTORS["malformed"]]
)
def test_decode_characteristic_raises_gatt_decode_error_when_the_frame_is_malformed(
    vector: dict[str, Any],
) -> None:
    with pytest.raises(GattDecodeError) as error:
        decode_characteristic(vector["characteristic"], bytes.fromhex(vector["hex"]))

    assert "need" in str(error.value)


def test_malformed_indoor_bike_data_error_names_the_characteristic_and_the_byte_counts() -> None:
    with pytest.raises(GattDecodeError) as error:
        decode_characteristic("2ad2", bytes.fromhex("440064002c0000"))

    assert error.value.characteristic == "Indoor Bike Data"
    assert str(error.value) == "Indoor Bike Data: flags 0x0044 need 8 bytes, got 7"


def test_cadence_from_crank_matches_the_assioma_sequence_when_given_each_previous_frame() -> None:
    frames = [
        decode_cycling_power_measurement(bytes.fromhex(v["hex"]))
        for v in VECTORS["cycling_power_measurement_2A63"][:4]
    ]
    expected = [
        v["expect"]["cadence_rpm_from_previous"]
        for v in VECTORS["cycling_power_measurement_2A63"][1:4]
    ]

    cadences = [cadence_from_crank(prev, cur) for prev, cur in itertools.pairwise(frames)]

    assert cadences == pytest.approx(expected, abs=0.01)


def test_csc_rates_match_the_production_trace_when_given_each_previous_frame() -> None:
    vectors = VECTORS["csc_measurement_2A5B"]
    frames = [decode_csc_measurement(bytes.fromhex(v["hex"])) for v in vectors]

    wheel_1 = csc_rates(frames[0], frames[1], wheel_circumference_mm=TRACE_WHEEL_MM)
    wheel_2 = csc_rates(frames[1], frames[2], wheel_circumference_mm=TRACE_WHEEL_MM)
    crank = csc_rates(frames[3], frames[4])

    assert wheel_1.speed_kmh == pytest.approx(
        vectors[1]["expect"]["speed_kmh_from_previous"], abs=0.01
    )
    assert wheel_2.speed_kmh == pytest.approx(
        vectors[2]["expect"]["speed_kmh_from_previous"], abs=0.01
    )
    assert crank.cadence_rpm == pytest.approx(
        vectors[4]["expect"]["cadence_rpm_from_previous"], abs=0.01
    )


def test_csc_rates_has_no_cadence_when_the_previous_frame_had_no_crank_data() -> None:
    vectors = VECTORS["csc_measurement_2A5B"]
    wheel_only = decode_csc_measurement(bytes.fromhex(vectors[1]["hex"]))
    both = decode_csc_measurement(bytes.fromhex(vectors[2]["hex"]))

    assert csc_rates(wheel_only, both).cadence_rpm is None
