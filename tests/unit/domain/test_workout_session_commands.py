"""Trainer commands on a WorkoutSession: issuing, FTMS acknowledgements, idempotence."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.errors import InvalidCommand, SessionNotActive
from domain.sessions import RESOLVED_COMMANDS_REMEMBERED, WorkoutSession


def named(session: WorkoutSession, name: str) -> list[dict[str, Any]]:
    return [vars(e) for e in session.collect_events() if type(e).__name__ == name]


@pytest.fixture
def coach() -> UUID:
    return uuid4()


def test_issue_command_records_it_for_the_current_client(
    session: WorkoutSession, coach: UUID
) -> None:
    command_id = uuid4()

    session.issue_command(command_id, "target_power", 215, issued_by=coach)

    [issued] = named(session, "CommandIssued")
    assert issued["command_id"] == command_id
    assert issued["kind"] == "target_power"
    assert issued["value"] == 215.0
    assert issued["issued_by"] == coach
    assert issued["client_id"] == session.client_id
    assert session.commands_issued == 1
    assert session.pending_command_ids == {command_id}


def test_issue_command_goes_to_the_new_client_after_a_transport_switch(
    session: WorkoutSession, coach: UUID
) -> None:
    session.switch_transport("phone", "phone-12")

    session.issue_command(uuid4(), "slope", 4.5, issued_by=coach)

    [issued] = named(session, "CommandIssued")
    assert issued["client_id"] == "phone-12"


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("target_power", 0),
        ("target_power", 2500),
        ("slope", -40),
        ("slope", 40.0),
        ("slope", -2.5),
        ("resistance", 0),
        ("resistance", 100),
        ("start", None),
        ("stop", None),
    ],
)
def test_issue_command_accepts_values_within_limits(
    session: WorkoutSession, coach: UUID, kind: str, value: float | None
) -> None:
    session.issue_command(uuid4(), kind, value, issued_by=coach)

    [issued] = named(session, "CommandIssued")
    assert (issued["kind"], issued["value"]) == (kind, value)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("target_power", -1),
        ("target_power", 2501),
        ("target_power", None),
        ("target_power", "200"),
        ("target_power", True),
        ("target_power", float("nan")),
        ("slope", -40.5),
        ("slope", 41),
        ("resistance", -1),
        ("resistance", 100.5),
        ("start", 1),
        ("stop", 0),
        ("gear", 3),
        ("", None),
    ],
)
def test_issue_command_rejects_bad_kind_or_value(
    session: WorkoutSession, coach: UUID, kind: str, value: Any
) -> None:
    with pytest.raises(InvalidCommand):
        session.issue_command(uuid4(), kind, value, issued_by=coach)

    assert session.commands_issued == 0
    assert session.collect_events() == []


@pytest.mark.parametrize("field", ["command_id", "issued_by"])
def test_issue_command_rejects_ids_that_are_not_uuids(
    session: WorkoutSession, coach: UUID, field: str
) -> None:
    arguments: dict[str, Any] = {
        "command_id": uuid4(),
        "kind": "stop",
        "value": None,
        "issued_by": coach,
    }
    arguments[field] = str(arguments[field])

    with pytest.raises(InvalidCommand):
        session.issue_command(**arguments)


def test_issue_command_is_a_no_op_when_the_command_id_is_pending(
    session: WorkoutSession, coach: UUID
) -> None:
    command_id = uuid4()
    session.issue_command(command_id, "target_power", 200, issued_by=coach)
    session.collect_events()

    session.issue_command(command_id, "target_power", 200, issued_by=coach)

    assert session.collect_events() == []
    assert session.commands_issued == 1


def test_issue_command_is_a_no_op_when_the_command_was_already_answered(
    session: WorkoutSession, coach: UUID
) -> None:
    command_id = uuid4()
    session.issue_command(command_id, "target_power", 200, issued_by=coach)
    session.acknowledge_command(command_id, 1)
    session.collect_events()

    session.issue_command(command_id, "target_power", 200, issued_by=coach)

    assert session.collect_events() == []
    assert session.commands_issued == 1
    assert session.pending_command_ids == frozenset()


def test_issue_command_is_allowed_while_paused(session: WorkoutSession, coach: UUID) -> None:
    session.pause()

    session.issue_command(uuid4(), "stop", None, issued_by=coach)

    assert session.commands_issued == 1


@pytest.mark.parametrize("end", ["finish", "discard"])
def test_issue_command_raises_when_session_ended(
    session: WorkoutSession, coach: UUID, end: str
) -> None:
    if end == "finish":
        session.finish()
    else:
        session.discard("test")

    with pytest.raises(SessionNotActive):
        session.issue_command(uuid4(), "target_power", 180, issued_by=coach)

    assert session.commands_issued == 0


def test_acknowledge_command_records_success_when_result_code_is_1(
    session: WorkoutSession, coach: UUID
) -> None:
    command_id = uuid4()
    session.issue_command(command_id, "target_power", 200, issued_by=coach)
    session.collect_events()

    answered = session.acknowledge_command(command_id, 1)

    [acknowledged] = named(session, "CommandAcknowledged")
    assert answered
    assert acknowledged["command_id"] == command_id
    assert acknowledged["kind"] == "target_power"
    assert (session.commands_acknowledged, session.commands_failed) == (1, 0)
    assert session.pending_command_ids == frozenset()


@pytest.mark.parametrize(
    ("result_code", "reason"),
    [
        (2, "not_supported"),
        (3, "invalid_parameter"),
        (4, "operation_failed"),
        (5, "control_not_permitted"),
        (0, "unknown"),
        (0x7F, "unknown"),
    ],
)
def test_acknowledge_command_records_failure_with_the_ftms_reason(
    session: WorkoutSession, coach: UUID, result_code: int, reason: str
) -> None:
    command_id = uuid4()
    session.issue_command(command_id, "resistance", 40, issued_by=coach)
    session.collect_events()

    session.acknowledge_command(command_id, result_code)

    [failed] = named(session, "CommandFailed")
    assert (failed["command_id"], failed["result_code"]) == (command_id, result_code)
    assert failed["reason"] == reason
    assert (session.commands_acknowledged, session.commands_failed) == (0, 1)
    assert session.pending_command_ids == frozenset()


@pytest.mark.parametrize("second_code", [1, 4])
def test_acknowledge_command_ignores_a_redelivered_answer(
    session: WorkoutSession, coach: UUID, second_code: int
) -> None:
    command_id = uuid4()
    session.issue_command(command_id, "slope", 2, issued_by=coach)
    session.acknowledge_command(command_id, 1)
    session.collect_events()

    answered = session.acknowledge_command(command_id, second_code)

    assert not answered
    assert session.collect_events() == []
    assert (session.commands_acknowledged, session.commands_failed) == (1, 0)


def test_acknowledge_command_ignores_an_unknown_command(session: WorkoutSession) -> None:
    assert not session.acknowledge_command(uuid4(), 1)
    assert session.collect_events() == []


@pytest.mark.parametrize("end", ["finish", "discard"])
def test_acknowledge_command_is_accepted_when_the_answer_arrives_after_the_end(
    session: WorkoutSession, coach: UUID, end: str
) -> None:
    command_id = uuid4()
    session.issue_command(command_id, "stop", None, issued_by=coach)
    if end == "finish":
        session.finish()
    else:
        session.discard("test")

    assert session.acknowledge_command(command_id, 1)
    assert session.commands_acknowledged == 1


@pytest.mark.parametrize("result_code", [-1, 256, "1", 1.0, None])
def test_acknowledge_command_rejects_a_result_code_that_is_not_a_byte(
    session: WorkoutSession, coach: UUID, result_code: Any
) -> None:
    command_id = uuid4()
    session.issue_command(command_id, "stop", None, issued_by=coach)

    with pytest.raises(InvalidCommand):
        session.acknowledge_command(command_id, result_code)

    assert session.pending_command_ids == {command_id}


def test_session_state_stays_bounded_when_many_commands_are_answered(
    session: WorkoutSession, coach: UUID
) -> None:
    for index in range(RESOLVED_COMMANDS_REMEMBERED * 5):
        command_id = uuid4()
        session.issue_command(command_id, "slope", index % 10, issued_by=coach)
        session.acknowledge_command(command_id, 1 if index % 3 else 4)
    session.collect_events()

    resolved = RESOLVED_COMMANDS_REMEMBERED * 5
    assert session.commands_issued == resolved
    assert session.commands_acknowledged + session.commands_failed == resolved
    assert len(repr(vars(session))) < 1024 + 40 * RESOLVED_COMMANDS_REMEMBERED
