"""Trainer commands as the relay sends them: applied once, never when stale, and always
answered with one acknowledgement (here the virtual trainer of bridge/simulator)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import orjson
import pytest

from bridge.ble.devices import KnownDevice
from bridge.ble.profiles import SensorKind
from bridge.commands import CommandRejected, CommandRunner, parse_command
from bridge.control import TrainerController
from bridge.gatt.control_point import ResultCode
from bridge.sim_direct import DirectTrainerLink
from bridge.simulator.physics import TrainerMode
from bridge.simulator.virtual_devices import VirtualTrainer

TRAINER = KnownDevice("F1:00:00:00:00:01", "trainer", (SensorKind.TRAINER,))
TTL_S = 5.0


def body(**changes: Any) -> bytes:
    command = {
        "v": 1,
        "command_id": str(uuid.uuid4()),
        "session_id": str(uuid.uuid4()),
        "kind": "target_power",
        "value": 230,
        "issued_at": time.time(),
    }
    command.update(changes)
    return orjson.dumps(command)


class Acks:
    def __init__(self) -> None:
        self.stored: list[tuple[uuid.UUID, int]] = []

    async def __call__(self, command_id: uuid.UUID, result_code: int) -> None:
        self.stored.append((command_id, result_code))


@pytest.fixture
async def trainer() -> VirtualTrainer:
    return VirtualTrainer()


@pytest.fixture
async def controller(trainer: VirtualTrainer) -> TrainerController:
    controller = TrainerController(indication_timeout_s=1.0)
    await controller.attach(TRAINER, DirectTrainerLink(trainer))
    return controller


async def test_a_command_changes_the_trainer_and_is_acknowledged_with_its_result(
    controller: TrainerController, trainer: VirtualTrainer
) -> None:
    acks = Acks()
    runner = CommandRunner(controller, acks, TTL_S)
    command = body(kind="target_power", value=230)

    await runner.handle(command)

    assert acks.stored == [(uuid.UUID(orjson.loads(command)["command_id"]), ResultCode.SUCCESS)]
    assert trainer.physics.state.mode is TrainerMode.ERG
    assert trainer.physics.state.target_power_w == 230


async def test_a_command_older_than_its_time_to_live_is_never_applied(
    controller: TrainerController, trainer: VirtualTrainer
) -> None:
    acks = Acks()
    runner = CommandRunner(controller, acks, TTL_S)

    await runner.handle(body(value=400, issued_at=time.time() - TTL_S - 1))

    assert trainer.physics.state.mode is not TrainerMode.ERG
    assert [code for _, code in acks.stored] == [ResultCode.OPERATION_FAILED]
    assert runner.stats.expired == 1


async def test_a_redelivered_command_is_applied_and_acknowledged_once(
    controller: TrainerController, trainer: VirtualTrainer
) -> None:
    acks = Acks()
    runner = CommandRunner(controller, acks, TTL_S)
    command = body(kind="slope", value=2.5)

    await runner.handle(command)
    trainer.physics.set_simulation(grade_pct=0.0)
    await runner.handle(command)

    assert len(acks.stored) == 1
    assert trainer.physics.state.simulation.grade_pct == 0.0
    assert runner.stats.duplicates == 1


async def test_a_command_waits_for_the_trainer_within_its_time_to_live() -> None:
    acks = Acks()
    runner = CommandRunner(TrainerController(), acks, ttl_s=0.2)

    await runner.handle(body())

    assert [code for _, code in acks.stored] == [ResultCode.OPERATION_FAILED]
    assert runner.stats.failed == 1


async def test_an_unknown_command_kind_is_acknowledged_as_not_supported(
    controller: TrainerController,
) -> None:
    acks = Acks()

    await CommandRunner(controller, acks, TTL_S).handle(body(kind="spin_down", value=None))

    assert [code for _, code in acks.stored] == [ResultCode.NOT_SUPPORTED]


async def test_a_command_with_a_malformed_value_is_acknowledged_as_invalid(
    controller: TrainerController,
) -> None:
    acks = Acks()

    await CommandRunner(controller, acks, TTL_S).handle(body(value="fast"))

    assert [code for _, code in acks.stored] == [ResultCode.INVALID_PARAMETER]


async def test_a_body_without_a_command_id_is_dropped_without_an_acknowledgement(
    controller: TrainerController,
) -> None:
    acks = Acks()
    runner = CommandRunner(controller, acks, TTL_S)

    result = await runner.handle(b'{"v": 1, "kind": "target_power"}')

    assert result is None and acks.stored == []
    assert runner.stats.rejected == 1


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not an object"),
        (body(issued_at="yesterday"), "issued_at"),
        (body(kind=None), "kind"),
        (body(v=2), "version"),
    ],
)
def test_parse_command_says_what_is_wrong_when_a_body_is_malformed(raw: bytes, reason: str) -> None:
    with pytest.raises(CommandRejected, match=reason):
        parse_command(raw)


def test_parse_command_reads_the_relays_body() -> None:
    command_id, session_id = uuid.uuid4(), uuid.uuid4()

    command = parse_command(
        body(command_id=str(command_id), session_id=str(session_id), kind="slope", value=-2)
    )

    assert (command.command_id, command.session_id, command.kind, command.value) == (
        command_id,
        str(session_id),
        "slope",
        -2.0,
    )
