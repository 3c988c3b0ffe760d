"""What the bridge is doing, for the rider: one status line (connected sensors, samples per
second, backlog, last error). On a terminal it is redrawn in place every second; otherwise
it is logged as a JSON line every `LOG_EVERY_S` seconds (`--status log`)."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TextIO

from bridge.ble.connection import LinkStatus
from bridge.commands import CommandStats
from bridge.forwarder import ForwardStats

log = logging.getLogger(__name__)

REFRESH_S = 1.0
LOG_EVERY_S = 10.0
RATE_WINDOW_S = 5.0


@dataclass
class BridgeStatus:
    broker: str = "connecting"
    broker_url: str = ""
    trainer_control: bool = False
    commands_ready: bool = False  # consuming ble.commands.<client id>
    notifications: int = 0
    decode_errors: int = 0
    overflows: int = 0
    stored: int = 0
    dropped: int = 0
    backlog: int = 0
    sensors: dict[str, LinkStatus] = field(default_factory=dict)
    forward: ForwardStats = field(default_factory=ForwardStats)
    commands: CommandStats = field(default_factory=CommandStats)
    last_error: tuple[float, str] | None = None
    _stored_history: deque[tuple[float, int]] = field(default_factory=deque)

    def note_error(self, message: str) -> None:
        self.last_error = (time.time(), message)

    def samples_per_second(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        history = self._stored_history
        history.append((now, self.stored))
        # Keep one point at or before the window's start, so the rate spans the whole window.
        while len(history) > 2 and now - history[1][0] >= RATE_WINDOW_S:
            history.popleft()
        (first_at, first), (last_at, last) = history[0], history[-1]
        return (last - first) / (last_at - first_at) if last_at > first_at else 0.0

    def latest_error(self) -> str | None:
        errors = [self.last_error] if self.last_error else []
        errors += [(s.last_error_at, s.last_error) for s in self.sensors.values() if s.last_error]
        if not errors:
            return None
        at, message = max(errors, key=lambda e: e[0])
        return f"{time.strftime('%H:%M:%S', time.localtime(at))} {message}"

    def fields(self, rate: float) -> dict[str, object]:
        return {
            "broker": self.broker,
            "sensors": {name: s.state.value for name, s in self.sensors.items()},
            "trainer_control": self.trainer_control,
            "commands_ready": self.commands_ready,
            "samples_per_s": round(rate, 1),
            "backlog": self.backlog,
            "stored": self.stored,
            "confirmed": self.forward.confirmed,
            "decode_errors": self.decode_errors,
            "dropped": self.dropped,
            "commands": self.commands.received,
            "last_error": self.latest_error(),
        }


def render(status: BridgeStatus, rate: float) -> str:
    sensors = " ".join(f"{name}:{s.state.value}" for name, s in status.sensors.items()) or "none"
    parts = [
        f"broker {status.broker}",
        f"sensors {sensors}",
        "trainer control " + ("ok" if status.trainer_control else "no"),
        f"{rate:.1f} samples/s",
        f"backlog {status.backlog}",
        f"sent {status.forward.confirmed}",
    ]
    if status.decode_errors:
        parts.append(f"bad frames {status.decode_errors}")
    if status.dropped:
        parts.append(f"dropped (disk budget) {status.dropped}")
    error = status.latest_error()
    if error:
        parts.append(f"last error {error}")
    return " | ".join(parts)


class StatusReporter:
    def __init__(
        self, status: BridgeStatus, mode: str = "auto", stream: TextIO | None = None
    ) -> None:
        self._status = status
        self._stream = stream or sys.stderr
        if mode == "auto":
            mode = "line" if self._stream.isatty() else "log"
        self.mode = mode

    async def run(self) -> None:
        if self.mode == "off":
            return
        last_logged = 0.0
        try:
            while True:
                await asyncio.sleep(REFRESH_S)
                rate = self._status.samples_per_second()
                if self.mode == "line":
                    self._stream.write("\r\x1b[K" + render(self._status, rate))
                    self._stream.flush()
                elif time.monotonic() - last_logged >= LOG_EVERY_S:
                    last_logged = time.monotonic()
                    log.info("bridge status", extra=self._status.fields(rate))
        finally:
            if self.mode == "line":
                self._stream.write("\n")
                self._stream.flush()
