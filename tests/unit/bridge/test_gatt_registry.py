"""decode_characteristic and normalize_uuid accept every usual spelling of a characteristic."""

from __future__ import annotations

import pytest

from bridge.gatt import (
    GattDecodeError,
    UnknownUuidError,
    decode_characteristic,
    normalize_uuid,
    uuids,
)

IBD_FRAME = bytes.fromhex("4402da020201220100")  # Schwinn IC4 frame from the vectors


@pytest.mark.parametrize(
    "spelling",
    [
        "2ad2",
        "2AD2",
        "0x2AD2",
        "00002ad2",
        "00002ad2-0000-1000-8000-00805f9b34fb",
        "00002AD2-0000-1000-8000-00805F9B34FB",
        "00002ad200001000800000805f9b34fb",
        "indoor_bike_data",
        " Indoor_Bike_Data ",
    ],
)
def test_normalize_uuid_gives_the_full_lower_case_form_for_every_spelling(spelling: str) -> None:
    assert normalize_uuid(spelling) == "00002ad2-0000-1000-8000-00805f9b34fb"


@pytest.mark.parametrize("spelling", ["2ad2", "0x2AD2", uuids.INDOOR_BIKE_DATA, "indoor_bike_data"])
def test_decode_characteristic_decodes_the_same_frame_whatever_the_spelling(spelling: str) -> None:
    assert decode_characteristic(spelling, IBD_FRAME)["power_w"] == 290


def test_service_constants_are_the_sig_assigned_numbers() -> None:
    assert uuids.FITNESS_MACHINE_SERVICE == "00001826-0000-1000-8000-00805f9b34fb"
    assert uuids.CYCLING_POWER_SERVICE == "00001818-0000-1000-8000-00805f9b34fb"
    assert uuids.HEART_RATE_SERVICE == "0000180d-0000-1000-8000-00805f9b34fb"
    assert uuids.CYCLING_SPEED_AND_CADENCE_SERVICE == "00001816-0000-1000-8000-00805f9b34fb"


@pytest.mark.parametrize("text", ["2ad", "battery", "0x2ad2x", ""])
def test_normalize_uuid_raises_when_the_text_is_not_a_uuid_or_known_name(text: str) -> None:
    with pytest.raises(UnknownUuidError):
        normalize_uuid(text)


@pytest.mark.parametrize("characteristic", ["2a19", "not_a_characteristic"])
def test_decode_characteristic_raises_gatt_decode_error_for_a_characteristic_it_cannot_decode(
    characteristic: str,
) -> None:
    with pytest.raises(GattDecodeError) as error:
        decode_characteristic(characteristic, b"\x64")

    assert error.value.characteristic == characteristic
