"""Recording samples on a WorkoutSession: validation, idempotence, backlog order, size."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest

from domain.errors import InvalidSample, SessionAlreadyEnded, UnknownClient
from domain.sessions import SampleValue, WorkoutSession


def sample_events(session: WorkoutSession) -> list[dict[str, Any]]:
    return [vars(e) for e in session.collect_events() if type(e).__name__ == "SampleRecorded"]


def test_record_sample_appends_an_event_with_every_field(session: WorkoutSession) -> None:
    raw = bytes.fromhex("168c2003")  # HR 140 bpm with one RR interval
    values: MappingProxyType[str, SampleValue] = MappingProxyType(
        {"heart_rate_bpm": 140, "rr_1024ths": [800], "contact": True}
    )

    recorded = session.record_sample(
        client_id=session.client_id,
        seq=0,
        device_time=12.5,
        sensor_id="polar-h10",
        characteristic="2a37",
        raw=raw,
        values=values,
        imported=False,
    )

    [event] = sample_events(session)
    assert recorded
    assert event["client_id"] == session.client_id
    assert event["seq"] == 0
    assert event["device_time"] == 12.5
    assert event["sensor_id"] == "polar-h10"
    assert event["characteristic"] == "2a37"
    assert event["raw"] == raw
    assert event["imported"] is False
    assert type(event["values"]) is dict
    assert event["values"] == {"heart_rate_bpm": 140, "rr_1024ths": [800], "contact": True}
    assert session.sample_count == 1


def test_record_sample_marks_imported_samples(session: WorkoutSession, record: Any) -> None:
    record(session, 0, imported=True)

    [event] = sample_events(session)
    assert event["imported"] is True


def test_record_sample_ignores_a_redelivered_sample(session: WorkoutSession, record: Any) -> None:
    record(session, 0)
    record(session, 1)
    session.collect_events()

    recorded_again = record(session, 1)

    assert not recorded_again
    assert session.collect_events() == []
    assert session.sample_count == 2


def test_record_sample_accepts_backlog_samples_older_than_live_ones(
    session: WorkoutSession, record: Any
) -> None:
    for seq in range(100, 200):  # live samples first, after an outage
        record(session, seq)
    for seq in range(0, 100):  # then the bridge drains its outbox
        assert record(session, seq)

    assert session.sample_count == 200
    assert session.recorded_seq_ranges(session.client_id) == [[0, 199]]
    assert not any(record(session, seq) for seq in (0, 99, 100, 199))


def test_record_sample_keeps_device_time_bounds_when_backlog_arrives_late(
    session: WorkoutSession, record: Any
) -> None:
    record(session, 10, device_time=110.0)
    record(session, 11, device_time=111.0)
    record(session, 3, device_time=103.0)

    assert session.first_device_time == 103.0
    assert session.last_device_time == 111.0


def test_record_sample_counts_samples_per_characteristic(
    session: WorkoutSession, record: Any
) -> None:
    record(session, 0, characteristic="2ad2")
    record(session, 1, characteristic="2a37", values={"heart_rate_bpm": 131})
    record(session, 2, characteristic="2ad2")

    assert session.samples_by_characteristic == {"2ad2": 2, "2a37": 1}


def test_record_sample_accepts_samples_while_paused(session: WorkoutSession, record: Any) -> None:
    session.pause()

    assert record(session, 0)
    assert session.sample_count == 1


@pytest.mark.parametrize("end", ["finish", "discard"])
def test_record_sample_raises_for_a_new_sample_when_session_ended(
    session: WorkoutSession, record: Any, end: str
) -> None:
    record(session, 0)
    if end == "finish":
        session.finish()
    else:
        session.discard("test")
    session.collect_events()

    with pytest.raises(SessionAlreadyEnded):
        record(session, 1)

    assert session.sample_count == 1
    assert session.collect_events() == []


def test_record_sample_ignores_a_redelivered_sample_when_session_ended(
    session: WorkoutSession, record: Any
) -> None:
    record(session, 0)
    session.finish()

    assert not record(session, 0)


def test_record_sample_raises_when_the_client_never_joined_the_session(
    session: WorkoutSession, record: Any
) -> None:
    with pytest.raises(UnknownClient) as raised:
        record(session, 0, client_id="someone-elses-bridge")

    assert isinstance(raised.value, InvalidSample)
    assert session.sample_count == 0


def test_record_sample_dedups_per_client_after_a_transport_switch(
    session: WorkoutSession, record: Any
) -> None:
    desktop = session.client_id
    for seq in range(10):
        record(session, seq, client_id=desktop)

    session.switch_transport("phone", "phone-12")
    phone_first = [record(session, seq, client_id="phone-12") for seq in range(5)]
    desktop_in_flight = [record(session, seq, client_id=desktop) for seq in range(8, 12)]
    phone_redelivered = [record(session, seq, client_id="phone-12") for seq in range(3, 7)]

    assert phone_first == [True] * 5  # the phone numbers its samples from 0 again
    assert desktop_in_flight == [False, False, True, True]
    assert phone_redelivered == [False, False, True, True]
    assert session.sample_count == 10 + 5 + 2 + 2
    assert session.recorded_seq_ranges(desktop) == [[0, 11]]
    assert session.recorded_seq_ranges("phone-12") == [[0, 6]]


def test_record_sample_accepts_large_sequence_numbers(session: WorkoutSession, record: Any) -> None:
    assert record(session, 2**40)
    assert record(session, 2**63 - 1)
    assert session.has_sample(session.client_id, 2**40)
    assert not record(session, 2**40)


@pytest.mark.parametrize(
    "fields",
    [
        {"seq": -1},
        {"seq": 1.0},
        {"seq": True},
        {"seq": 2**63},
        {"device_time": -0.25},
        {"device_time": float("nan")},
        {"device_time": float("inf")},
        {"device_time": "12.0"},
        {"sensor_id": ""},
        {"characteristic": "x" * 65},
        {"raw": bytes(513)},
        {"raw": "4400c409"},
        {"values": {7: 200}},
        {"values": {"power_w": "200"}},
        {"values": {"power_w": float("nan")}},
        {"values": {"rr": [800.5]}},
        {"values": {"rr": [True]}},
        {"values": {"nested": {"power_w": 200}}},
        {"values": [("power_w", 200)]},
        {"imported": "yes"},
        {"client_id": ""},
    ],
)
def test_record_sample_rejects_malformed_fields(
    session: WorkoutSession, record: Any, fields: dict[str, Any]
) -> None:
    seq = fields.pop("seq", 0)

    with pytest.raises(InvalidSample):
        record(session, seq, **fields)

    assert session.sample_count == 0
    assert session.collect_events() == []


def test_record_sample_accepts_raw_payload_of_512_bytes(
    session: WorkoutSession, record: Any
) -> None:
    assert record(session, 0, raw=bytes(512))


def test_session_state_stays_small_when_20000_contiguous_samples_are_recorded(
    session: WorkoutSession, record: Any
) -> None:
    for seq in range(1000):
        record(session, seq)
    session.collect_events()
    size_after_1000 = len(repr(vars(session)))

    for seq in range(1000, 20_000):
        record(session, seq)
    session.collect_events()

    state = repr(vars(session))
    assert session.sample_count == 20_000
    assert len(state) < 2048
    assert len(state) - size_after_1000 < 64  # only wider numbers, no per-sample growth
