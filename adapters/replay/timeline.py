"""A session's stored events as a timeline: each event becomes the item the live feed
sends for it (`adapters.live_message.item`), placed at its time on the ride's own clock.

The ride's clock is the bridge's device time, which samples carry (`t`). A lap with
`at_device_time` (an imported file's) is placed there. Other events (commands, pauses, laps
marked from the dashboard) only have the server's commit time (`at`); they are moved onto the
device clock by the smallest (`at` - `t`) seen on the session's samples: the clock offset
plus the least delivery delay. The result is kept between the device times of the samples
stored before and after the event, which matters when samples were stored long after they
were recorded (a backlog): the start then lands on the first sample, the finish on the
last. An imported ride is on its file's clock alone: what has no device time of its own is
placed at the record stored before it (`_between_records`). Every message gets that
position as `ride_t`, so a client can plot samples and commands on one time axis whatever
the bridge's clock said.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson

from adapters import live_message
from domain import events as domain_events

# Events whose latest occurrence before a seek position still shapes what is shown after it
# (the ERG target, paused or not, the bridge in use); mapped to what they replace.
CARRIED_EVENTS: dict[str, str] = {
    domain_events.SessionStarted.__name__: "started",
    domain_events.SessionPaused.__name__: "pause",
    domain_events.SessionResumed.__name__: "pause",
    domain_events.TransportSwitched.__name__: "transport",
    domain_events.LapMarked.__name__: "lap",
}


def stored_item(event: domain_events.StoredEvent) -> dict[str, Any]:
    """The live feed's item for a stored event, with `version` instead of the relay's
    notification id `n` (a stored session's events are numbered by their version)."""
    data = live_message.item(event)
    data["version"] = event.originator_version
    return data


def clock_offset(messages: Iterable[dict[str, Any]]) -> float | None:
    """min(at - t) over the samples, or None without samples."""
    offsets = [m["at"] - m["t"] for m in messages if m.get("kind") == live_message.KIND_SAMPLE]
    return min(offsets) if offsets else None


def _starts_an_import(messages: Sequence[dict[str, Any]]) -> bool:
    """Whether these messages begin with the `Started` of an imported ride."""
    return bool(messages) and (
        messages[0].get("event") == "Started" and messages[0].get("transport") == "import"
    )


def place(messages: Sequence[dict[str, Any]], imported: bool | None = None) -> float | None:
    """Sets `ride_t` on every message (given in version order); returns the clock offset.

    `imported`: the messages are an imported ride's (by default, when they begin with its
    `Started`; a later page of the ride must say so)."""
    if imported is None:
        imported = _starts_an_import(messages)
    offset = clock_offset(messages)
    times = [m["t"] if m.get("kind") == live_message.KIND_SAMPLE else None for m in messages]
    later: list[float | None] = [None] * len(messages)  # earliest sample time stored after
    earliest: float | None = None
    for index in range(len(messages) - 1, -1, -1):
        later[index] = earliest
        t = times[index]
        if t is not None:
            earliest = t if earliest is None else min(earliest, t)
    latest: float | None = None  # latest sample time stored before
    for message, t, after in zip(messages, times, later, strict=True):
        if t is not None:
            message["ride_t"] = t
            latest = t if latest is None else max(latest, t)
            continue
        marked = message.get("at_device_time")
        if isinstance(marked, int | float) and not isinstance(marked, bool):
            message["ride_t"] = float(marked)  # a lap marked on the device clock itself
            continue
        if imported:
            message["ride_t"] = _between_records(message["at"], latest, after)
            continue
        ride_t = message["at"] - (offset or 0.0)
        if latest is not None:
            ride_t = max(ride_t, latest)
        if after is not None:
            ride_t = min(ride_t, after)
        message["ride_t"] = ride_t
    return offset


def _between_records(at: float, latest: float | None, after: float | None) -> float:
    """Where an imported ride's event goes when it has no device time of its own.

    An imported ride has one clock, the file's: its samples carry their record times, but
    were stored when the file was read, as was what describes the recording; its start and
    finish are stamped with its first and last record. No commit time says where such an
    event belongs, its place among the samples does: at the record stored before it (the
    start, before every sample, at the first record), and only without samples around it
    (a page of trailing events) at its own time.
    """
    if latest is not None:
        return latest
    if after is not None:
        return after
    return at


def carry_key(message: dict[str, Any]) -> str | None:
    if message.get("kind") == live_message.KIND_COMMAND:
        return f"command:{message.get('command')}"
    name = message.get("event")
    return CARRIED_EVENTS.get(name) if isinstance(name, str) else None


@dataclass(frozen=True)
class Timeline:
    """Events ordered by their offset from the start of the ride (seconds)."""

    session_id: UUID
    start_t: float
    offsets: list[float]
    payloads: list[bytes]
    carry_keys: list[str | None]
    clock_offset_s: float | None

    @property
    def duration_s(self) -> float:
        return self.offsets[-1] if self.offsets else 0.0

    def __len__(self) -> int:
        return len(self.offsets)

    def index_after(self, position_s: float) -> int:
        """Index of the first event strictly after `position_s`."""
        return bisect.bisect_right(self.offsets, position_s)

    def between(self, start: int, end: int) -> list[bytes]:
        return self.payloads[start:end]

    def context(self, position_s: float, context_s: float) -> list[bytes]:
        """What a client needs to show `position_s` after a seek: every event of the last
        `context_s` seconds, preceded by the latest earlier event of each carried kind."""
        end = self.index_after(position_s)
        start = bisect.bisect_left(self.offsets, position_s - context_s, 0, end)
        carried: dict[str, int] = {}
        for index in range(start - 1, -1, -1):
            key = self.carry_keys[index]
            if key is not None and key not in carried:
                carried[key] = index
        earlier = [self.payloads[index] for index in sorted(carried.values())]
        return earlier + self.payloads[start:end]


def build_timeline(session_id: UUID, events: Iterable[Any]) -> Timeline:
    messages = [stored_item(event) for event in events]
    offset = place(messages)
    ordered = sorted(messages, key=lambda m: float(m["ride_t"]))  # stable: keeps event order
    start_t = float(ordered[0]["ride_t"]) if ordered else 0.0
    return Timeline(
        session_id=session_id,
        start_t=start_t,
        offsets=[float(m["ride_t"]) - start_t for m in ordered],
        payloads=[orjson.dumps(m) for m in ordered],
        carry_keys=[carry_key(m) for m in ordered],
        clock_offset_s=offset,
    )
