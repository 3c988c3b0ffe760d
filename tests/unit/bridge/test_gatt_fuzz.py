"""Decoders never crash: any bytes either decode or raise GattDecodeError."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from bridge.gatt import GattDecodeError, decode_characteristic
from bridge.gatt.registry import DECODERS

FIXTURES = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures"
VECTORS: dict[str, Any] = json.loads((FIXTURES / "ble" / "vectors.json").read_text())
VALID = [
    (group.rsplit("_", 1)[1], bytes.fromhex(vector["hex"]))
    for group in (
        "indoor_bike_data_2AD2",
        "cycling_power_measurement_2A63",
        "heart_rate_measurement_2A37",
        "csc_measurement_2A5B",
    )
    for vector in VECTORS[group]
]


FIXED_LENGTH = [(c, p) for c, p in VALID if c != "2A37"]


def _decode_or_reject(characteristic: str, payload: bytes) -> dict[str, Any] | None:
    """Any exception other than GattDecodeError propagates and fails the test."""
    try:
        return decode_characteristic(characteristic, payload)
    except GattDecodeError:
        return None


@pytest.mark.parametrize(("characteristic", "payload"), VALID, ids=lambda x: str(x)[:20])
def test_every_truncation_of_a_valid_vector_decodes_or_raises_gatt_decode_error(
    characteristic: str, payload: bytes
) -> None:
    for length in range(len(payload)):
        _decode_or_reject(characteristic, payload[:length])


# Heart rate frames end with a variable number of RR intervals, so dropping a whole interval
# leaves a valid frame; every other family has a length fixed by its flags.
@pytest.mark.parametrize(("characteristic", "payload"), FIXED_LENGTH, ids=lambda x: str(x)[:20])
def test_a_truncated_vector_is_rejected_when_its_flags_announce_more_than_it_carries(
    characteristic: str, payload: bytes
) -> None:
    for length in range(len(payload)):
        with pytest.raises(GattDecodeError):
            decode_characteristic(characteristic, payload[:length])


@pytest.mark.parametrize("characteristic", sorted(DECODERS))
def test_random_payloads_never_raise_anything_but_gatt_decode_error(characteristic: str) -> None:
    rng = random.Random(characteristic)
    for _ in range(3000):
        payload = rng.randbytes(rng.randrange(0, 40))
        _decode_or_reject(characteristic, payload)


@pytest.mark.parametrize("characteristic", sorted(DECODERS))
def test_random_payloads_with_valid_lengths_decode_to_numbers_bools_and_int_lists(
    characteristic: str,
) -> None:
    rng = random.Random(f"values-{characteristic}")
    decoded_any = False
    for _ in range(3000):
        payload = rng.randbytes(rng.randrange(1, 24))
        values = _decode_or_reject(characteristic, payload)
        if values is None:
            continue
        decoded_any = True
        for value in values.values():
            assert isinstance(value, int | float | bool) or (
                isinstance(value, list) and all(isinstance(item, int) for item in value)
            )
    assert decoded_any
