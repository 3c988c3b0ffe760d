"""What the bridge adds to the GATT decoders: cadence and speed from revolution counters,
per sensor, on real recorded sequences (../shared/fixtures/ble/vectors.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bridge.decoding import Notification, SampleDecoder
from bridge.gatt import GattDecodeError, uuids

FIXTURES = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures"
VECTORS: dict[str, Any] = json.loads((FIXTURES / "ble" / "vectors.json").read_text())
TRACE_WHEEL_MM = 2118  # the CSC production trace was recorded with a 2.118 m wheel


def notification(sensor: str, characteristic: str, hex_payload: str, at: float) -> Notification:
    return Notification(sensor, characteristic, bytes.fromhex(hex_payload), 1_700_000_000 + at, at)


def test_decoder_adds_cadence_from_crank_revolutions_when_a_power_meter_sends_a_sequence() -> None:
    decoder = SampleDecoder()
    frames = VECTORS["cycling_power_measurement_2A63"][:4]

    decoded = [
        decoder.decode(notification("power-meter", uuids.CYCLING_POWER_MEASUREMENT, f["hex"], i))
        for i, f in enumerate(frames)
    ]

    for sample, frame in zip(decoded[1:], frames[1:], strict=True):
        assert sample.values["cadence_rpm"] == pytest.approx(
            frame["expect"]["cadence_rpm_from_previous"], abs=0.05
        )
        assert sample.values["power_w"] == frame["expect"]["power_w"]
    assert "cadence_rpm" not in decoded[0].values  # one frame cannot give a rate


def test_decoder_adds_speed_and_cadence_when_a_speed_cadence_sensor_sends_a_trace() -> None:
    decoder = SampleDecoder(wheel_circumference_mm=TRACE_WHEEL_MM)
    frames = VECTORS["csc_measurement_2A5B"][:3]

    decoded = [
        decoder.decode(notification("speed-cadence", uuids.CSC_MEASUREMENT, f["hex"], i))
        for i, f in enumerate(frames)
    ]

    for sample, frame in zip(decoded[1:], frames[1:], strict=True):
        assert sample.values["speed_kmh"] == pytest.approx(
            frame["expect"]["speed_kmh_from_previous"], abs=0.01
        )


def test_decoder_reports_zero_cadence_when_the_crank_stops_turning() -> None:
    decoder = SampleDecoder()
    first, second = VECTORS["csc_measurement_2A5B"][3:5]
    decoder.decode(notification("speed-cadence", uuids.CSC_MEASUREMENT, first["hex"], 0.0))
    turning = decoder.decode(
        notification("speed-cadence", uuids.CSC_MEASUREMENT, second["hex"], 0.5)
    )

    # The same frame again, four seconds later: no new revolution since.
    stopped = decoder.decode(
        notification("speed-cadence", uuids.CSC_MEASUREMENT, second["hex"], 4.6)
    )

    assert turning.values["cadence_rpm"] == pytest.approx(
        second["expect"]["cadence_rpm_from_previous"], abs=0.05
    )
    assert stopped.values["cadence_rpm"] == 0.0


def test_decoder_keeps_each_sensors_counters_apart_when_two_sensors_interleave() -> None:
    decoder = SampleDecoder()
    frames = VECTORS["cycling_power_measurement_2A63"][:2]
    for i, frame in enumerate(frames):
        decoder.decode(
            notification("power-meter", uuids.CYCLING_POWER_MEASUREMENT, frame["hex"], i)
        )

    other = decoder.decode(
        notification("trainer", uuids.CYCLING_POWER_MEASUREMENT, frames[1]["hex"], 2.0)
    )

    assert "cadence_rpm" not in other.values


def test_decoder_keeps_the_raw_payload_device_time_and_short_uuid_of_each_notification() -> None:
    vector = VECTORS["indoor_bike_data_2AD2"][0]
    received = notification("trainer", uuids.INDOOR_BIKE_DATA, vector["hex"], 12.5)

    sample = SampleDecoder().decode(received)

    assert sample.raw == bytes.fromhex(vector["hex"])
    assert sample.device_time == received.received_at
    assert sample.characteristic == "2ad2"
    assert sample.sensor_id == "trainer"
    assert {k: sample.values[k] for k in vector["expect"]} == vector["expect"]


@pytest.mark.parametrize("vector", VECTORS["malformed"], ids=lambda v: v["why"])
def test_decoder_raises_a_decode_error_when_a_frame_is_malformed(vector: dict[str, str]) -> None:
    received = notification(
        "sensor", uuids.normalize_uuid(vector["characteristic"]), vector["hex"], 0.0
    )

    with pytest.raises(GattDecodeError):
        SampleDecoder().decode(received)
