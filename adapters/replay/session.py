"""One replay connection: a player over a timeline, controlled by the client's messages and
pumping due events to it.

Frames sent (JSON text):
  {"type": "ready", "session_id", "status", "start_t", "duration_s", "event_count", "speed",
   "playing", "position_s", "clock_offset_s"}
  {"type": "events", "position_s", "events": [<live message>, ...]}  while playing, at most
      every MIN_FRAME_S and at least every TICK_S (possibly with no events: the position)
  {"type": "seeked", "position_s", "events": [...]}  the context to show after a seek
  {"type": "state", "playing", "speed", "skip_pauses", "position_s"}  after every control
  {"type": "ended", "position_s"}                     the end of the ride was reached
A lock keeps each control and the frames it causes together, so a client never receives
events from before a seek after the seek's answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

import orjson
from aiohttp import WSMsgType, web

from adapters.http.handshake import CLOSE_BAD_MESSAGE
from adapters.replay.player import ReplayPlayer
from adapters.replay.protocol import (
    DEFAULT_CONTEXT_S,
    BadControl,
    Control,
    Opening,
    Pause,
    Play,
    Seek,
    SkipPauses,
    Speed,
)
from adapters.replay.protocol import parse_control as parse
from adapters.replay.timeline import Timeline

TICK_S = 0.25
MIN_FRAME_S = 0.05


def _frame(kind: str, position_s: float, events: list[bytes]) -> str:
    head = orjson.dumps({"type": kind, "position_s": round(position_s, 3)})
    return (head[:-1] + b',"events":[' + b",".join(events) + b"]}").decode()


class ReplaySession:
    def __init__(
        self,
        ws: web.WebSocketResponse,
        timeline: Timeline,
        status: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ws = ws
        self._timeline = timeline
        self._status = status
        self._clock = clock
        self._player = ReplayPlayer(timeline)
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._ended_sent = False

    async def run(self, opening: Opening) -> None:
        now = self._clock()
        self._player.set_speed(opening.speed, now)
        self._player.set_skip_pauses(opening.skip_pauses, now)
        await self._send_ready()
        if opening.position_s > 0:
            await self._apply(Seek(opening.position_s, DEFAULT_CONTEXT_S))
        if opening.play:
            await self._apply(Play())
        pump = asyncio.create_task(self._pump())
        try:
            async for message in self._ws:
                if message.type != WSMsgType.TEXT:
                    await self._ws.close(code=CLOSE_BAD_MESSAGE, message=b"send JSON text frames")
                    break
                try:
                    control = parse(message.data)
                except BadControl as error:
                    await self._ws.close(code=CLOSE_BAD_MESSAGE, message=str(error).encode()[:120])
                    break
                await self._apply(control)
        finally:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump

    async def _send_ready(self) -> None:
        player, timeline = self._player, self._timeline
        await self._ws.send_str(
            orjson.dumps(
                {
                    "type": "ready",
                    "session_id": str(timeline.session_id),
                    "status": self._status,
                    "start_t": timeline.start_t,
                    # Rounded like every position_s: at the end both show the same second.
                    "duration_s": round(timeline.duration_s, 3),
                    "event_count": len(timeline),
                    "speed": player.speed,
                    "playing": False,
                    "position_s": 0.0,
                    "clock_offset_s": timeline.clock_offset_s,
                }
            ).decode()
        )

    async def _apply(self, control: Control) -> None:
        async with self._lock:
            now = self._clock()
            player = self._player
            if isinstance(control, Play):
                if player.at_end(now):  # play again from the start
                    await self._seek(0.0, DEFAULT_CONTEXT_S, now)
                player.play(now)
            elif isinstance(control, Pause):
                player.pause(now)
            elif isinstance(control, Speed):
                player.set_speed(control.speed, now)
            elif isinstance(control, SkipPauses):
                player.set_skip_pauses(control.skip, now)
            else:
                await self._seek(control.position_s, control.context_s, now)
            await self._send_state(now)
        self._wake.set()

    async def _seek(self, position_s: float, context_s: float, now: float) -> None:
        position = min(max(0.0, position_s), self._player.duration_s)
        self._player.seek(position, now)
        self._ended_sent = False
        context = self._timeline.context(position, context_s)
        await self._ws.send_str(_frame("seeked", position, context))

    async def _send_state(self, now: float) -> None:
        player = self._player
        state = {
            "type": "state",
            "playing": player.playing(now),
            "speed": player.speed,
            "skip_pauses": player.skip_pauses,
            "position_s": round(player.position(now), 3),
        }
        await self._ws.send_str(orjson.dumps(state).decode())

    async def _pump(self) -> None:
        with contextlib.suppress(ConnectionError):
            while not self._ws.closed:
                self._wake.clear()
                timeout = await self._send_due()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)

    async def _send_due(self) -> float | None:
        """Sends what is due; returns how long to sleep (None: until a control arrives)."""
        async with self._lock:
            now = self._clock()
            player = self._player
            due = player.due(now)
            if due or player.playing(now):
                await self._ws.send_str(_frame("events", player.position(now), due))
            if player.at_end(now) and not self._ended_sent:
                player.pause(now)
                self._ended_sent = True
                ended = {"type": "ended", "position_s": round(player.position(now), 3)}
                await self._ws.send_str(orjson.dumps(ended).decode())
                await self._send_state(now)
            wait = player.wait_s(now)
            if not player.playing(now):
                return None
            return max(MIN_FRAME_S, min(TICK_S, wait if wait is not None else TICK_S))
