"""The live feed's message, built and read here only (the ingest worker builds it for the
samples it commits, the relay for every other session event, the API's live hub reads it,
the replay builds the same items from stored events).

One AMQP message on `wattlog.live` carries every item of one batch (an ingest batch or a
relay batch) for one live partition: users are hashed onto `WATTLOG_LIVE_PARTITIONS`
partitions, the publisher sends one message per partition that has something in the batch
(routing key `live.<partition>`), and an API process binds the partitions of the users it
serves. The cost of the fan-out is per batch and partition, not per sample.

Body (JSON): {"v": 1, "users": {"<owner id>": [item, ...], ...}}. An item is what a
dashboard receives in `{"type": "live", "data": item}`: one committed session event with
`session_id`, `kind` (sample, command or status), `event` (its class name), `at` (when it
was recorded) and the event's own fields. Both publishers send at least once; `dedup_key`
says how a repeat is recognised: a sample by its session, client and sequence number (the
aggregate's own idempotence key, so a sample the worker sees again after a crash is
published again and dropped by the reader), any other event by its notification id `n`.
"""

from __future__ import annotations

import zlib
from collections.abc import Container, Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import orjson

from domain import events as domain_events

VERSION = 1
ROUTING_PREFIX = "live."
KIND_SAMPLE = "sample"
KIND_COMMAND = "command"
KIND_STATUS = "status"

SAMPLE_EVENT = domain_events.SampleRecorded.__name__

_HIDDEN_FIELDS = {"originator_id", "originator_version", "timestamp"}


class LiveMessageError(ValueError):
    """A body on `wattlog.live` that is not a live message of this version."""


def partition_of(owner_id: UUID, partitions: int) -> int:
    """The live partition of a user: a stable hash, the same in every process."""
    return zlib.crc32(owner_id.bytes) % partitions


def routing_key(partition: int) -> str:
    return f"{ROUTING_PREFIX}{partition}"


def item(event: domain_events.StoredEvent, n: int | None = None) -> dict[str, Any]:
    """What the live feed shows of a stored session event (`n`: its notification id)."""
    data: dict[str, Any]
    if isinstance(event, domain_events.SampleRecorded):
        data = sample_item(
            event.originator_id,
            event.client_id,
            event.seq,
            event.device_time,
            event.sensor_id,
            event.characteristic,
            event.values,
            event.timestamp.timestamp(),
        )
        if n is not None:
            data["n"] = n
        return data
    if isinstance(event, domain_events.CommandIssued):
        kind = KIND_COMMAND
        data = {"command_id": str(event.command_id), "command": event.kind, "value": event.value}
    else:
        kind = KIND_STATUS
        data = {
            key: (str(value) if isinstance(value, UUID) else value)
            for key, value in vars(event).items()
            if key not in _HIDDEN_FIELDS
            and isinstance(value, str | int | float | bool | UUID | type(None))
        }
    if n is not None:
        data["n"] = n
    data["session_id"] = str(event.originator_id)
    data["kind"] = kind
    data["event"] = type(event).__name__
    data["at"] = event.timestamp.timestamp()
    return data


def sample_item(
    session_id: UUID,
    client_id: str,
    seq: int,
    device_time: float,
    sensor_id: str,
    characteristic: str,
    values: dict[str, Any],
    at: float,
) -> dict[str, Any]:
    """The item of one sample, from its stored event or from the envelope sample that a
    session already holds (`at`: when it was recorded, or received again)."""
    return {
        "client_id": client_id,
        "seq": seq,
        "t": device_time,
        "sensor": sensor_id,
        "char": characteristic,
        "values": values,
        "session_id": str(session_id),
        "kind": KIND_SAMPLE,
        "event": SAMPLE_EVENT,
        "at": at,
    }


def replace_key(data: dict[str, Any]) -> Hashable:
    """What a newer item replaces in a slow socket's buffer."""
    kind = data.get("kind")
    if kind == KIND_SAMPLE:
        return (data.get("session_id"), kind, data.get("sensor"), data.get("char"))
    if kind == KIND_COMMAND:
        return (data.get("session_id"), kind, data.get("command_id"))
    return (data.get("session_id"), kind, data.get("event"), data.get("command_id"))


def dedup_key(data: dict[str, Any]) -> Hashable | None:
    """What a repeated item is recognised by (None: nothing to tell it by)."""
    if data.get("kind") == KIND_SAMPLE:
        return (data.get("session_id"), data.get("client_id"), data.get("seq"))
    n = data.get("n")
    return n if isinstance(n, int) else None


@dataclass
class BatchBuilder:
    """Collects the items of one batch into one message per partition."""

    partitions: int
    _users: dict[int, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)

    def add(self, owner_id: UUID, data: dict[str, Any]) -> None:
        users = self._users.setdefault(partition_of(owner_id, self.partitions), {})
        users.setdefault(str(owner_id), []).append(data)

    def __len__(self) -> int:
        return sum(len(items) for users in self._users.values() for items in users.values())

    def messages(self) -> list[tuple[str, bytes]]:
        """(routing key, body) per partition, in partition order."""
        return [
            (routing_key(partition), encode(users))
            for partition, users in sorted(self._users.items())
        ]


def encode(users: dict[str, list[dict[str, Any]]]) -> bytes:
    return orjson.dumps({"v": VERSION, "users": users})


@dataclass(frozen=True)
class LiveBatch:
    users: dict[str, list[dict[str, Any]]]

    def items_for(self, watched: Container[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        """(user id, item) of the users in `watched`; the partition's others are skipped."""
        for owner_id, items in self.users.items():
            if owner_id in watched:
                for data in items:
                    yield owner_id, data


def decode(body: bytes) -> LiveBatch:
    try:
        message = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise LiveMessageError(f"not JSON: {error}") from None
    if not isinstance(message, dict) or message.get("v") != VERSION:
        raise LiveMessageError(f"not a live message of version {VERSION}")
    users = message.get("users")
    if not isinstance(users, dict) or not all(
        isinstance(items, list) and all(isinstance(data, dict) for data in items)
        for items in users.values()
    ):
        raise LiveMessageError("`users` must map user ids to lists of items")
    return LiveBatch(users)


def frame(data: dict[str, Any]) -> bytes:
    """The WebSocket text frame a dashboard receives for one item."""
    return b'{"type":"live","data":' + orjson.dumps(data) + b"}"
