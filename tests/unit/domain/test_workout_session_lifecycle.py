"""WorkoutSession start, pause/resume, laps, transport switches and ending."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.errors import (
    InvalidSession,
    SessionAlreadyEnded,
    SessionAlreadyPaused,
    SessionNotActive,
    SessionNotPaused,
)
from domain.sessions import WorkoutSession


def event_names(session: WorkoutSession) -> list[str]:
    return [type(e).__name__ for e in session.collect_events()]


def test_session_start_records_started_event_with_its_fields(
    athlete_id: UUID, owner_id: UUID
) -> None:
    workout = {"name": "Sweet spot 3x10", "steps": [{"seconds": 600, "ftp_fraction": 0.9}]}

    session = WorkoutSession.start(
        athlete_id, owner_id, "phone-12", 265, transport="phone", workout=workout
    )

    [started] = session.collect_events()
    assert type(started).__name__ == "Started"
    assert started.originator_id == session.id
    fields = vars(started)
    assert fields["athlete_id"] == athlete_id
    assert fields["owner_id"] == owner_id
    assert fields["client_id"] == "phone-12"
    assert fields["ftp_w"] == 265
    assert fields["transport"] == "phone"
    assert fields["workout"] == workout
    assert session.started_at == started.timestamp


def test_session_start_gives_a_running_desktop_session_by_default(
    athlete_id: UUID, owner_id: UUID
) -> None:
    session = WorkoutSession.start(athlete_id, owner_id, "desk-1", 250)

    assert session.status == "running"
    assert session.is_active
    assert session.transport == "desktop"
    assert session.client_id == "desk-1"
    assert session.client_ids == ("desk-1",)
    assert session.athlete_id == athlete_id
    assert session.owner_id == owner_id
    assert session.ftp_w == 250
    assert session.workout is None
    assert session.ended_at is None
    assert (session.sample_count, session.lap_count, session.commands_issued) == (0, 0, 0)


def test_session_start_uses_the_given_session_id(athlete_id: UUID, owner_id: UUID) -> None:
    session_id = uuid4()

    session = WorkoutSession.start(athlete_id, owner_id, "desk-1", 250, session_id=session_id)

    assert session.id == session_id


def test_session_keeps_its_own_copy_of_the_workout(athlete_id: UUID, owner_id: UUID) -> None:
    workout: dict[str, Any] = {"steps": [{"seconds": 300}]}
    session = WorkoutSession.start(athlete_id, owner_id, "desk-1", 250, workout=workout)

    workout["steps"].append({"seconds": 60})

    assert session.workout == {"steps": [{"seconds": 300}]}


@pytest.mark.parametrize("ftp_w", [0, 2001, -250, 250.0, True, "250"])
def test_session_start_rejects_ftp_when_outside_1_to_2000_watts(
    athlete_id: UUID, owner_id: UUID, ftp_w: Any
) -> None:
    with pytest.raises(InvalidSession):
        WorkoutSession.start(athlete_id, owner_id, "desk-1", ftp_w)


@pytest.mark.parametrize(
    "overrides",
    [
        {"transport": "bluetooth"},
        {"client_id": ""},
        {"client_id": "x" * 129},
        {"athlete_id": "not-a-uuid"},
        {"owner_id": None},
        {"session_id": "1234"},
        {"workout": {"steps": {1, 2}}},
        {"workout": {1: "numeric key"}},
        {"workout": {"power": float("nan")}},
    ],
)
def test_session_start_rejects_malformed_arguments(
    athlete_id: UUID, owner_id: UUID, overrides: dict[str, Any]
) -> None:
    arguments: dict[str, Any] = {
        "athlete_id": athlete_id,
        "owner_id": owner_id,
        "client_id": "desk-1",
        "ftp_w": 250,
    }
    arguments.update(overrides)

    with pytest.raises(InvalidSession):
        WorkoutSession.start(**arguments)


def test_session_pause_and_resume_move_between_paused_and_running(
    session: WorkoutSession,
) -> None:
    session.pause()
    paused_status, paused_active = session.status, session.is_active
    session.resume()

    assert (paused_status, paused_active) == ("paused", True)
    assert session.status == "running"
    assert event_names(session) == ["Paused", "Resumed"]


def test_session_pause_raises_when_already_paused(session: WorkoutSession) -> None:
    session.pause()

    with pytest.raises(SessionAlreadyPaused):
        session.pause()


def test_session_resume_raises_when_running(session: WorkoutSession) -> None:
    with pytest.raises(SessionNotPaused):
        session.resume()


@pytest.mark.parametrize("pause_first", [False, True])
def test_session_finish_ends_the_session_when_running_or_paused(
    session: WorkoutSession, pause_first: bool
) -> None:
    if pause_first:
        session.pause()
    session.collect_events()

    session.finish()

    [finished] = session.collect_events()
    assert type(finished).__name__ == "Finished"
    assert session.status == "finished"
    assert not session.is_active
    assert session.ended_at == finished.timestamp


def test_session_discard_keeps_the_reason_and_ends_the_session(session: WorkoutSession) -> None:
    session.discard("trainer calibration ride")

    [discarded] = session.collect_events()
    assert type(discarded).__name__ == "Discarded"
    assert vars(discarded)["reason"] == "trainer calibration ride"
    assert session.status == "discarded"
    assert session.discard_reason == "trainer calibration ride"
    assert session.ended_at == discarded.timestamp


@pytest.mark.parametrize("end", ["finish", "discard"])
@pytest.mark.parametrize(
    "action",
    [
        lambda s: s.finish(),
        lambda s: s.discard("again"),
        lambda s: s.pause(),
        lambda s: s.resume(),
        lambda s: s.mark_lap(),
        lambda s: s.switch_transport("phone", "phone-1"),
    ],
    ids=["finish", "discard", "pause", "resume", "mark_lap", "switch_transport"],
)
def test_session_refuses_state_changes_when_already_ended(
    session: WorkoutSession, end: str, action: Any
) -> None:
    if end == "finish":
        session.finish()
    else:
        session.discard("test ride")
    session.collect_events()

    with pytest.raises(SessionAlreadyEnded) as raised:
        action(session)

    assert isinstance(raised.value, SessionNotActive)
    assert session.collect_events() == []


def test_session_mark_lap_numbers_laps_from_one(session: WorkoutSession) -> None:
    session.mark_lap(at_device_time=1300.5)
    session.pause()
    session.mark_lap()

    laps = [vars(e) for e in session.collect_events() if type(e).__name__ == "LapMarked"]
    assert [(lap["lap_number"], lap["at_device_time"]) for lap in laps] == [(1, 1300.5), (2, None)]
    assert session.lap_count == 2


@pytest.mark.parametrize("at_device_time", [-1.0, float("inf"), "12"])
def test_session_mark_lap_rejects_a_bad_device_time(
    session: WorkoutSession, at_device_time: Any
) -> None:
    with pytest.raises(InvalidSession):
        session.mark_lap(at_device_time=at_device_time)

    assert session.lap_count == 0


def test_session_switch_transport_records_both_ends_of_the_switch(
    session: WorkoutSession,
) -> None:
    desktop_client = session.client_id

    switched = session.switch_transport("phone", "phone-12")

    [event] = session.collect_events()
    assert switched
    assert type(event).__name__ == "TransportSwitched"
    fields = vars(event)
    assert fields["from_transport"] == "desktop"
    assert fields["to_transport"] == "phone"
    assert fields["from_client_id"] == desktop_client
    assert fields["to_client_id"] == "phone-12"
    assert (session.transport, session.client_id) == ("phone", "phone-12")
    assert session.client_ids == (desktop_client, "phone-12")


def test_session_switch_back_lists_each_client_once(session: WorkoutSession) -> None:
    desktop_client = session.client_id

    session.switch_transport("phone", "phone-12")
    session.switch_transport("desktop", desktop_client)

    assert session.client_ids == (desktop_client, "phone-12")
    assert session.client_id == desktop_client


def test_session_switch_to_the_current_client_is_a_no_op(session: WorkoutSession) -> None:
    switched = session.switch_transport("desktop", session.client_id)

    assert not switched
    assert session.collect_events() == []


def test_session_switch_is_allowed_while_paused(session: WorkoutSession) -> None:
    session.pause()

    session.switch_transport("phone", "phone-12")

    assert (session.status, session.transport) == ("paused", "phone")


@pytest.mark.parametrize(("transport", "client_id"), [("carrier-pigeon", "p-1"), ("phone", "")])
def test_session_switch_rejects_unknown_transport_or_empty_client(
    session: WorkoutSession, transport: str, client_id: str
) -> None:
    with pytest.raises(InvalidSession):
        session.switch_transport(transport, client_id)

    assert session.transport == "desktop"
