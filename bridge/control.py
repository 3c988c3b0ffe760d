"""Trainer control through the Fitness Machine Control Point, one procedure at a time.

On every (re)connection: enable indications on the control point first, read the Supported
Power and Resistance Level Ranges, request control, and send the last target again (a
trainer that lost its link may have dropped out of ERG). Then each command is one
procedure under a lock: write the request (with response), wait for the indication
`80 <op> <result>` that answers it, and return its result code. Indications are only
enqueued by the callback; the procedure reads them from the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from bridge.ble.devices import KnownDevice
from bridge.ble.gatt_link import GattLink, GattLinkError, GattWriteRefused
from bridge.control_requests import (
    TARGET_KINDS,
    SimulationParameters,
    TrainerLimits,
    control_request,
)
from bridge.gatt import uuids
from bridge.gatt.control_point import (
    ResultCode,
    decode_control_point_response,
    encode_request_control,
)
from bridge.gatt.errors import GattDecodeError
from bridge.gatt.fitness_machine import (
    decode_supported_power_range,
    decode_supported_resistance_level_range,
)

log = logging.getLogger(__name__)

ATT_PROCEDURE_ALREADY_IN_PROGRESS = 0xFE
BUSY_RETRIES = 3
BUSY_RETRY_DELAY_S = 0.2


class TrainerControlError(RuntimeError):
    """A command could not be carried out on the trainer."""


class TrainerUnavailable(TrainerControlError):
    """No trainer with a control point is connected."""


class CommandExpired(TrainerControlError):
    """The command's time to live ran out before the trainer could be told."""


class IndicationTimeout(TrainerControlError):
    """The trainer accepted the write but never answered it with an indication."""


class TrainerController:
    def __init__(
        self,
        indication_timeout_s: float = 5.0,
        simulation: SimulationParameters | None = None,
    ) -> None:
        self.indication_timeout_s = indication_timeout_s
        self.simulation = simulation or SimulationParameters()
        self.limits = TrainerLimits()
        self.has_control = False
        self.read_only = False  # the trainer has no control point
        self._link: GattLink | None = None
        self._indications: asyncio.Queue[bytes] = asyncio.Queue()
        self._lock = asyncio.Lock()
        self._ready = asyncio.Event()
        self._last_target: tuple[str, float | None] | None = None

    @property
    def ready(self) -> bool:
        return self._ready.is_set()

    async def attach(self, device: KnownDevice, link: GattLink) -> None:
        """Called by the trainer's DeviceLink once it is connected and subscribed."""
        if not link.has(uuids.FITNESS_MACHINE_CONTROL_POINT):
            log.warning("trainer has no control point: read-only", extra={"device": device.name})
            self.read_only = True
            return
        indications: asyncio.Queue[bytes] = asyncio.Queue()
        await link.subscribe(uuids.FITNESS_MACHINE_CONTROL_POINT, indications.put_nowait)
        self.limits = await _read_limits(link)
        async with self._lock:
            self._link, self._indications = link, indications
            try:
                await self._take_control()
            except (TrainerControlError, GattLinkError) as error:
                # Commands ask again (result 5 triggers a new request); data keeps flowing.
                log.warning("trainer control not granted yet", extra={"error": str(error)})
        log.info(
            "trainer control",
            extra={
                "granted": self.has_control,
                "power_range": [self.limits.power.minimum_w, self.limits.power.maximum_w],
            },
        )
        self._ready.set()

    def detach(self, device: KnownDevice) -> None:
        self.read_only = False
        self._ready.clear()
        self._link = None
        self.has_control = False

    async def wait_ready(self, timeout_s: float) -> bool:
        if timeout_s > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), timeout_s)
        return self._ready.is_set()

    async def execute(self, kind: str, value: float | None, not_after: float) -> int:
        """Runs one command; returns the trainer's result code. `not_after` (wall clock) is
        checked once the previous procedure is over, right before writing."""
        async with self._lock:
            if time.time() > not_after:
                raise CommandExpired(f"{kind} expired while waiting for the trainer")
            if self._link is None:
                raise TrainerUnavailable("no trainer is connected")
            request = control_request(kind, value, self.limits, self.simulation)
            code = await self._procedure(request)
            if code == ResultCode.CONTROL_NOT_PERMITTED:
                # Control is lost after a trainer reset or when another app took it.
                self.has_control = (
                    await self._procedure(encode_request_control()) == ResultCode.SUCCESS
                )
                if self.has_control:
                    code = await self._procedure(request)
            if code == ResultCode.SUCCESS and kind in TARGET_KINDS:
                self._last_target = (kind, value)
            return code

    async def _take_control(self) -> None:
        self.has_control = await self._procedure(encode_request_control()) == ResultCode.SUCCESS
        if self.has_control and self._last_target is not None:
            kind, value = self._last_target
            request = control_request(kind, value, self.limits, self.simulation)
            restored = await self._procedure(request)
            log.info("trainer target restored", extra={"kind": kind, "result": restored})

    async def _procedure(self, request: bytes) -> int:
        link = self._link
        if link is None:
            raise TrainerUnavailable("no trainer is connected")
        while not self._indications.empty():  # answers to procedures that timed out
            self._indications.get_nowait()
        for attempt in range(BUSY_RETRIES + 1):
            try:
                await link.write(uuids.FITNESS_MACHINE_CONTROL_POINT, request)
                break
            except GattWriteRefused as refused:
                busy = refused.att_error == ATT_PROCEDURE_ALREADY_IN_PROGRESS
                if not busy or attempt == BUSY_RETRIES:
                    raise
                await asyncio.sleep(BUSY_RETRY_DELAY_S)
        deadline = time.monotonic() + self.indication_timeout_s
        while True:
            remaining = deadline - time.monotonic()
            try:
                payload = await asyncio.wait_for(self._indications.get(), max(remaining, 0))
            except TimeoutError:
                raise IndicationTimeout(
                    f"no answer to control point op 0x{request[0]:02x} within"
                    f" {self.indication_timeout_s} s"
                ) from None
            try:
                response = decode_control_point_response(payload)
            except GattDecodeError as error:
                log.warning("malformed control point indication", extra={"error": str(error)})
                continue
            if response.request_op_code == request[0]:
                return response.result_code


async def _read_limits(link: GattLink) -> TrainerLimits:
    limits = TrainerLimits()
    try:
        if link.has(uuids.SUPPORTED_POWER_RANGE):
            power = decode_supported_power_range(await link.read(uuids.SUPPORTED_POWER_RANGE))
            limits = TrainerLimits(power=power, resistance=limits.resistance)
        if link.has(uuids.SUPPORTED_RESISTANCE_LEVEL_RANGE):
            payload = await link.read(uuids.SUPPORTED_RESISTANCE_LEVEL_RANGE)
            limits = TrainerLimits(
                power=limits.power, resistance=decode_supported_resistance_level_range(payload)
            )
    except (GattLinkError, GattDecodeError) as error:
        log.warning("trainer ranges unreadable; using defaults", extra={"error": str(error)})
    return limits
