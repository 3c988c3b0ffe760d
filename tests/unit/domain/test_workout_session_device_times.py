"""Device times at the boundary: a bridge sample is bounded by the server's clock and by its
session's span; late samples after the finish are kept and announced."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from domain.errors import DeviceTimeOutOfRange, SampleOutsideSession, SessionAlreadyEnded
from domain.sessions import MAX_CLOCK_SKEW_S, WorkoutSession

YEAR_3000 = datetime(3000, 1, 1).timestamp()
RecordSample = Callable[..., bool]


def kinds(session: WorkoutSession) -> list[str]:
    return [type(e).__name__ for e in session.collect_events()]


def bridge_sample(
    record: RecordSample, session: WorkoutSession, seq: int, device_time: float, **extra: Any
) -> bool:
    """A sample as the ingest worker records it: received now, by the server's clock."""
    received_at = extra.pop("received_at", session.created_on.timestamp() + 60)
    return record(session, seq, device_time=device_time, received_at=received_at, **extra)


def started(session: WorkoutSession) -> float:
    return session.created_on.timestamp()


@pytest.mark.parametrize(
    "device_time",
    [1e12, YEAR_3000, "received + skew + 1"],
    ids=["year-33658", "year-3000", "just-past-the-skew"],
)
def test_a_bridge_sample_from_the_future_is_refused_with_its_distance_from_the_clock(
    session: WorkoutSession, record: RecordSample, device_time: Any
) -> None:
    received_at = started(session) + 60
    if device_time == "received + skew + 1":
        device_time = received_at + MAX_CLOCK_SKEW_S + 1

    with pytest.raises(DeviceTimeOutOfRange, match="s after the time the sample was received"):
        bridge_sample(record, session, 0, device_time, received_at=received_at)

    assert kinds(session) == []


def test_a_bridge_clock_a_little_ahead_of_the_servers_is_accepted(
    session: WorkoutSession, record: RecordSample
) -> None:
    received_at = started(session) + 60

    assert bridge_sample(
        record, session, 0, received_at + MAX_CLOCK_SKEW_S - 1, received_at=received_at
    )


def test_a_bridge_sample_long_before_its_session_started_is_outside_the_session(
    session: WorkoutSession, record: RecordSample
) -> None:
    with pytest.raises(SampleOutsideSession, match=r"before session .* started"):
        bridge_sample(record, session, 0, started(session) - MAX_CLOCK_SKEW_S - 1)

    assert kinds(session) == []


def test_store_and_forward_hours_later_is_accepted_when_the_sample_falls_within_the_session(
    session: WorkoutSession, record: RecordSample
) -> None:
    # The bridge was offline: its samples of the ride's first minute arrive three hours on.
    three_hours_later = started(session) + 3 * 3600

    assert bridge_sample(record, session, 0, started(session) + 30, received_at=three_hours_later)
    assert session.sample_count == 1


def test_a_sample_recorded_after_the_finish_within_the_ride_is_kept_as_a_late_sample(
    session: WorkoutSession, record: RecordSample
) -> None:
    bridge_sample(record, session, 0, started(session) + 10)
    session.finish()
    session.collect_events()

    assert bridge_sample(record, session, 1, started(session) + 11)
    assert bridge_sample(record, session, 2, started(session) + 12)
    assert session.flush_late_samples() == 2

    assert kinds(session) == ["SampleRecorded", "SampleRecorded", "LateSamplesRecorded"]
    assert session.sample_count == 3
    assert session.status == "finished"


def test_a_redelivered_late_sample_is_recognised_and_announces_nothing(
    session: WorkoutSession, record: RecordSample
) -> None:
    session.finish()
    bridge_sample(record, session, 1, started(session) + 11)
    session.flush_late_samples()
    session.collect_events()

    assert not bridge_sample(record, session, 1, started(session) + 11)
    assert session.flush_late_samples() == 0
    assert kinds(session) == []


def test_a_sample_after_the_end_plus_the_skew_is_outside_the_finished_session(
    session: WorkoutSession, record: RecordSample
) -> None:
    session.finish()
    assert session.ended_at is not None
    after_the_end = session.ended_at.timestamp() + MAX_CLOCK_SKEW_S + 1

    with pytest.raises(SampleOutsideSession, match=r"after session .* ended"):
        bridge_sample(record, session, 0, after_the_end, received_at=after_the_end)


def test_a_discarded_session_takes_no_late_sample(
    session: WorkoutSession, record: RecordSample
) -> None:
    session.discard("wrong bike")

    with pytest.raises(SessionAlreadyEnded):
        bridge_sample(record, session, 0, started(session) + 1)


def test_without_a_receipt_time_a_finished_session_still_refuses_new_samples(
    session: WorkoutSession, record: RecordSample
) -> None:
    session.finish()

    with pytest.raises(SessionAlreadyEnded):
        record(session, 0, device_time=started(session) + 1)


def test_an_imported_ride_keeps_device_times_from_years_before_the_session(
    session: WorkoutSession, record: RecordSample
) -> None:
    a_ride_in_2011 = datetime(2011, 6, 1).timestamp()

    assert record(session, 0, device_time=a_ride_in_2011, imported=True)
    assert record(
        session, 1, device_time=a_ride_in_2011 + 1, imported=True, received_at=started(session)
    )


def test_a_session_rebuilt_from_its_events_knows_its_late_samples(
    unsaved_session: WorkoutSession, record: RecordSample
) -> None:
    session = unsaved_session
    bridge_sample(record, session, 0, started(session) + 5)
    session.finish()
    bridge_sample(record, session, 1, started(session) + 6)
    session.flush_late_samples()
    bridge_sample(record, session, 2, started(session) + 7)

    rebuilt: Any = None
    for event in session.collect_events():
        rebuilt = event.mutate(rebuilt)

    assert rebuilt.sample_count == 3
    assert rebuilt.recorded_seq_ranges(session.client_id) == [[0, 2]]
    assert rebuilt.flush_late_samples() == 1  # seq 2 was not announced yet
