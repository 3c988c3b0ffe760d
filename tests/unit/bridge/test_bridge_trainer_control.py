"""The control point procedure, against the virtual trainer of bridge/simulator: indications
first, control requested, one procedure at a time, result codes from the indications."""

from __future__ import annotations

import asyncio
import time
import uuid

import orjson
import pytest

from bridge.ble.devices import KnownDevice
from bridge.ble.profiles import SensorKind
from bridge.commands import CommandRunner
from bridge.control import CommandExpired, IndicationTimeout, TrainerController, TrainerUnavailable
from bridge.gatt import uuids
from bridge.gatt.control_point import ControlOp, ResultCode
from bridge.gatt.fitness_machine import SupportedPowerRange
from bridge.sim_direct import DirectTrainerLink
from bridge.simulator.physics import TrainerMode
from bridge.simulator.virtual_devices import VirtualTrainer

TRAINER = KnownDevice("F1:00:00:00:00:01", "trainer", (SensorKind.TRAINER,))
SOON = 60.0


class RecordingTrainerLink(DirectTrainerLink):
    """A virtual trainer that answers after `delay_s`, and refuses a write while a procedure
    is still open (ATT 0xFE) as real trainers do; it records what it saw."""

    def __init__(self, trainer: VirtualTrainer, delay_s: float = 0.0, answer: bool = True) -> None:
        super().__init__(trainer)
        self.delay_s = delay_s
        self.answer = answer
        self.events: list[str] = []
        self.open_procedures = 0
        self.most_open = 0
        self.subscribed_before_first_write: bool | None = None
        self._subscribed = False

    async def subscribe(self, characteristic: str, callback: object) -> None:
        self._subscribed = True
        await super().subscribe(characteristic, callback)  # type: ignore[arg-type]

    async def write(self, characteristic: str, data: bytes) -> None:
        if self.subscribed_before_first_write is None:
            self.subscribed_before_first_write = self._subscribed
        self.events.append(f"write {data[0]:02x}")
        self.open_procedures += 1
        self.most_open = max(self.most_open, self.open_procedures)
        indication = self._trainer.handle_control_point(data)
        if self.answer:
            asyncio.get_running_loop().call_later(self.delay_s, self._answer, indication)

    def _answer(self, indication: bytes) -> None:
        self.open_procedures -= 1
        self.events.append(f"answer {indication[1]:02x}")
        assert self._indicate is not None
        self._indicate(indication)


async def attached(link: DirectTrainerLink, timeout_s: float = 2.0) -> TrainerController:
    controller = TrainerController(indication_timeout_s=timeout_s)
    await controller.attach(TRAINER, link)
    return controller


async def test_controller_enables_indications_and_requests_control_when_a_trainer_connects() -> (
    None
):
    trainer = VirtualTrainer()
    link = RecordingTrainerLink(trainer)

    controller = await attached(link)

    assert link.subscribed_before_first_write is True
    assert link.events[:2] == ["write 00", "answer 00"]
    assert trainer.has_control and controller.has_control and controller.ready


async def test_controller_sets_erg_power_and_returns_the_trainers_result_code() -> None:
    trainer = VirtualTrainer()
    controller = await attached(RecordingTrainerLink(trainer))

    code = await controller.execute("target_power", 240, time.time() + SOON)

    assert code == ResultCode.SUCCESS
    assert trainer.physics.state.mode is TrainerMode.ERG
    assert trainer.physics.state.target_power_w == 240


async def test_controller_clamps_power_to_the_supported_range_it_read_from_the_trainer() -> None:
    trainer = VirtualTrainer(power_range=SupportedPowerRange(25, 900, 5))
    controller = await attached(RecordingTrainerLink(trainer))

    await controller.execute("target_power", 1250, time.time() + SOON)

    assert controller.limits.power.maximum_w == 900
    assert trainer.physics.state.target_power_w == 900


async def test_controller_runs_one_procedure_at_a_time_when_commands_arrive_together() -> None:
    trainer = VirtualTrainer()
    link = RecordingTrainerLink(trainer, delay_s=0.03)
    controller = await attached(link)

    codes = await asyncio.gather(
        *(controller.execute("target_power", w, time.time() + SOON) for w in (150, 200, 250, 300))
    )

    assert codes == [ResultCode.SUCCESS] * 4
    assert link.most_open == 1
    assert trainer.physics.state.target_power_w == 300


async def test_controller_asks_for_control_again_when_the_trainer_says_not_permitted() -> None:
    trainer = VirtualTrainer()
    controller = await attached(RecordingTrainerLink(trainer))
    trainer.has_control = False  # another app took control: the next answer is "not permitted"

    code = await controller.execute("slope", 3.0, time.time() + SOON)

    # Control is asked for again once, then the command succeeds.
    assert code == ResultCode.SUCCESS
    assert trainer.has_control
    assert trainer.physics.state.simulation.grade_pct == 3.0


async def test_controller_gives_up_waiting_when_the_trainer_never_indicates() -> None:
    trainer = VirtualTrainer()
    link = RecordingTrainerLink(trainer)
    controller = await attached(link)
    link.answer = False
    controller.indication_timeout_s = 0.2

    with pytest.raises(IndicationTimeout, match="0x05"):
        await controller.execute("target_power", 200, time.time() + SOON)


async def test_controller_never_writes_a_command_whose_time_to_live_ran_out_while_queued() -> None:
    trainer = VirtualTrainer()
    link = RecordingTrainerLink(trainer, delay_s=0.3)
    controller = await attached(link)
    first = asyncio.create_task(controller.execute("target_power", 150, time.time() + SOON))
    await asyncio.sleep(0.05)

    with pytest.raises(CommandExpired):
        await controller.execute("target_power", 400, time.time() + 0.1)
    await first

    assert trainer.physics.state.target_power_w == 150
    assert link.events.count(f"write {ControlOp.SET_TARGET_POWER:02x}") == 1


async def test_controller_restores_the_last_target_when_the_trainer_reconnects() -> None:
    trainer = VirtualTrainer()
    controller = await attached(RecordingTrainerLink(trainer))
    await controller.execute("target_power", 275, time.time() + SOON)
    controller.detach(TRAINER)
    trainer.handle_control_point(bytes([ControlOp.RESET]))  # the trainer forgot everything

    await controller.attach(TRAINER, RecordingTrainerLink(trainer))

    assert trainer.physics.state.mode is TrainerMode.ERG
    assert trainer.physics.state.target_power_w == 275


async def test_controller_refuses_commands_when_no_trainer_is_connected() -> None:
    controller = TrainerController()

    assert await controller.wait_ready(0.05) is False
    with pytest.raises(TrainerUnavailable):
        await controller.execute("target_power", 200, time.time() + SOON)


async def test_a_trainer_without_a_control_point_answers_commands_as_not_supported() -> None:
    class NoControlPoint(DirectTrainerLink):
        def has(self, characteristic: str) -> bool:
            return characteristic != uuids.FITNESS_MACHINE_CONTROL_POINT

    controller = TrainerController()
    acks: list[int] = []

    async def store_ack(command_id: uuid.UUID, code: int) -> None:
        acks.append(code)

    await controller.attach(TRAINER, NoControlPoint(VirtualTrainer()))
    await CommandRunner(controller, store_ack, ttl_s=5.0).handle(
        orjson.dumps(
            {
                "v": 1,
                "command_id": str(uuid.uuid4()),
                "kind": "target_power",
                "value": 200,
                "issued_at": time.time(),
            }
        )
    )

    assert not controller.ready and controller.read_only
    assert acks == [ResultCode.NOT_SUPPORTED]  # at once, not after waiting out the TTL
