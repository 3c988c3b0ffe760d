"""A bridge envelope parses into the samples it carries; a malformed sample is refused with
a reason that names the field."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from wire.envelope import Envelope, EnvelopeError, Sample, encode_envelope, parse_envelope

GOOD_SAMPLE: dict[str, Any] = {
    "seq": 7,
    "t": 1_700_000_000.25,
    "sensor": "trainer",
    "char": "2AD2",
    "raw": "4402da020201220100",
    "values": {"power_w": 290, "cadence_rpm": 129.0, "contact": True, "rr_1024": [340, 748]},
}


def _body(sample: Any) -> bytes:
    return orjson.dumps(
        {
            "v": 1,
            "type": "samples",
            "client_id": "desktop-1",
            "sent_at": 1_700_000_001.0,
            "correlation_id": "c-1",
            "samples": [GOOD_SAMPLE, sample],
        }
    )


def test_an_encoded_envelope_parses_back_to_the_same_samples() -> None:
    envelope = Envelope(
        client_id="desktop-1",
        sent_at=1_700_000_001.0,
        correlation_id="c-1",
        samples=(
            Sample(1, 1_700_000_000.0, "trainer", "2ad2", b"\x44\x02", {"power_w": 290}),
            Sample(2, 1_700_000_000.5, "hr", "2a37", b"\x06\x3c", {"rr_1024": [1, 2]}),
        ),
    )
    assert parse_envelope(encode_envelope(envelope), expected_client_id="desktop-1") == envelope


def test_whole_second_times_and_upper_case_characteristics_are_normalised() -> None:
    sample = {**GOOD_SAMPLE, "t": 1_700_000_000}
    parsed = parse_envelope(_body(sample)).samples[1]
    assert parsed.device_time == 1_700_000_000.0
    assert type(parsed.device_time) is float
    assert parsed.characteristic == "2ad2"
    assert parsed.raw == bytes.fromhex("4402da020201220100")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"seq": -1}, "samples[1].seq must be a non-negative integer"),
        ({"seq": True}, "samples[1].seq must be a non-negative integer"),
        ({"seq": 1.5}, "samples[1].seq must be a non-negative integer"),
        ({"raw": "zz"}, "samples[1].raw is not valid hex"),
        ({"raw": 12}, "samples[1].raw must be a hex string"),
        ({"values": [1]}, "samples[1].values must be an object"),
        ({"values": {"p": "high"}}, "samples[1].values.p must be a finite number"),
        ({"values": {"p": [1.5]}}, "samples[1].values.p must be a finite number"),
        ({"t": "now"}, "samples[1].t must be a finite number"),
        ({"t": True}, "samples[1].t must be a finite number"),
        ({"sensor": ""}, "samples[1].sensor must be a string of 1..100 characters"),
        ({"char": None}, "samples[1].char must be a string of 1..40 characters"),
    ],
)
def test_a_malformed_sample_is_refused_with_the_field_named(
    change: dict[str, Any], reason: str
) -> None:
    with pytest.raises(EnvelopeError) as refused:
        parse_envelope(_body({**GOOD_SAMPLE, **change}))
    assert reason in str(refused.value)


def test_a_sample_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(EnvelopeError, match=r"samples\[1\] must be an object"):
        parse_envelope(_body([1, 2]))
