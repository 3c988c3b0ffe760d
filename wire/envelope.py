"""The envelope: the versioned JSON a bridge sends (samples or acknowledgements), the server reads.

The desktop bridge (AMQP) and the phone gateway (WebSocket) speak the same envelopes;
docs/bridge-protocol.md is the reference. Parsing is strict: anything unexpected raises
`EnvelopeError` with a precise reason, which the ingest worker puts on the dead letter.
"""

from __future__ import annotations

import binascii
import math
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import orjson

from wire.limits import MAX_RAW_BYTES, MAX_SAMPLES_PER_ENVELOPE, PROTOCOL_VERSION
from wire.routing import ROUTING_PREFIX


class EnvelopeError(ValueError):
    """A bridge message that cannot be accepted; the message says exactly why."""


@dataclass(frozen=True)
class Sample:
    seq: int
    device_time: float
    sensor_id: str
    characteristic: str
    raw: bytes
    values: dict[str, float | int | bool | list[int]]


@dataclass(frozen=True)
class Ack:
    command_id: UUID
    result_code: int


@dataclass(frozen=True)
class Envelope:
    client_id: str
    sent_at: float
    correlation_id: str
    samples: tuple[Sample, ...] = ()
    acks: tuple[Ack, ...] = ()
    version: int = PROTOCOL_VERSION
    kind: str = field(default="samples")


def client_id_from_routing_key(routing_key: str) -> str:
    if not routing_key.startswith(ROUTING_PREFIX) or len(routing_key) == len(ROUTING_PREFIX):
        raise EnvelopeError(f"routing key {routing_key!r} is not ble.events.<client_id>")
    return routing_key[len(ROUTING_PREFIX) :]


def encode_envelope(envelope: Envelope) -> bytes:
    body: dict[str, Any] = {
        "v": envelope.version,
        "type": envelope.kind,
        "client_id": envelope.client_id,
        "sent_at": envelope.sent_at,
        "correlation_id": envelope.correlation_id,
    }
    if envelope.kind == "samples":
        body["samples"] = [
            {
                "seq": s.seq,
                "t": s.device_time,
                "sensor": s.sensor_id,
                "char": s.characteristic,
                "raw": s.raw.hex(),
                "values": s.values,
            }
            for s in envelope.samples
        ]
    else:
        body["acks"] = [
            {"command_id": str(a.command_id), "result_code": a.result_code} for a in envelope.acks
        ]
    return orjson.dumps(body)


def parse_envelope(body: bytes, expected_client_id: str | None = None) -> Envelope:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise EnvelopeError(f"body is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise EnvelopeError("body must be a JSON object")
    version = data.get("v")
    if version != PROTOCOL_VERSION:
        raise EnvelopeError(
            f"unsupported protocol version {version!r} (expected {PROTOCOL_VERSION})"
        )
    client_id = _text(data, "client_id", 200)
    if expected_client_id is not None and client_id != expected_client_id:
        raise EnvelopeError(
            f"client_id {client_id!r} does not match the sender {expected_client_id!r}"
        )
    sent_at = _finite(data, "sent_at")
    correlation_id = _text(data, "correlation_id", 100)
    kind = data.get("type")
    if kind == "samples":
        samples = _list(data, "samples")
        return Envelope(
            client_id=client_id,
            sent_at=sent_at,
            correlation_id=correlation_id,
            samples=tuple(_sample(item, index) for index, item in enumerate(samples)),
        )
    if kind == "ack":
        acks = _list(data, "acks")
        return Envelope(
            client_id=client_id,
            sent_at=sent_at,
            correlation_id=correlation_id,
            acks=tuple(_ack(item, index) for index, item in enumerate(acks)),
            kind="ack",
        )
    raise EnvelopeError(f"unknown envelope type {kind!r} (expected 'samples' or 'ack')")


def _sample(item: Any, index: int) -> Sample:
    # Runs once per BLE notification in the ingest worker: the common case is checked by
    # exact type, and error messages are only built for the error.
    if type(item) is not dict:
        raise EnvelopeError(f"samples[{index}] must be an object")
    seq = item.get("seq")
    if type(seq) is not int or seq < 0:
        raise EnvelopeError(f"samples[{index}].seq must be a non-negative integer")
    raw_hex = item.get("raw")
    if type(raw_hex) is not str or len(raw_hex) > 2 * MAX_RAW_BYTES:
        raise EnvelopeError(
            f"samples[{index}].raw must be a hex string of at most {MAX_RAW_BYTES} bytes"
        )
    try:
        raw = binascii.unhexlify(raw_hex)
    except (binascii.Error, ValueError):
        raise EnvelopeError(f"samples[{index}].raw is not valid hex") from None
    values = item.get("values", {})
    if type(values) is not dict:
        raise EnvelopeError(f"samples[{index}].values must be an object")
    for key, value in values.items():
        kind = type(value)
        if not ((kind is float and math.isfinite(value)) or kind is int or _is_value(value)):
            raise EnvelopeError(
                f"samples[{index}].values.{key} must be a finite number, bool or int list"
            )
    device_time = item.get("t")
    if type(device_time) is not float or not math.isfinite(device_time):
        device_time = _finite(item, "t", f"samples[{index}]")
    sensor = item.get("sensor")
    if type(sensor) is not str or not 0 < len(sensor) <= 100:
        sensor = _text(item, "sensor", 100, f"samples[{index}]")
    characteristic = item.get("char")
    if type(characteristic) is not str or not 0 < len(characteristic) <= 40:
        characteristic = _text(item, "char", 40, f"samples[{index}]")
    return Sample(
        seq=seq,
        device_time=device_time,
        sensor_id=sensor,
        characteristic=characteristic.lower(),
        raw=raw,
        values=values,
    )


def _ack(item: Any, index: int) -> Ack:
    where = f"acks[{index}]"
    if not isinstance(item, dict):
        raise EnvelopeError(f"{where} must be an object")
    try:
        command_id = UUID(str(item.get("command_id")))
    except ValueError:
        raise EnvelopeError(f"{where}.command_id must be a UUID") from None
    code = item.get("result_code")
    if not isinstance(code, int) or isinstance(code, bool) or not 0 <= code <= 255:
        raise EnvelopeError(f"{where}.result_code must be an integer 0..255")
    return Ack(command_id=command_id, result_code=code)


def _is_value(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int | float):
        return math.isfinite(value)
    if isinstance(value, list):
        return len(value) <= 64 and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        )
    return False


def _text(data: dict[str, Any], key: str, max_length: int, where: str = "") -> str:
    value = data.get(key)
    name = f"{where}.{key}" if where else key
    if not isinstance(value, str) or not 0 < len(value) <= max_length:
        raise EnvelopeError(f"{name} must be a string of 1..{max_length} characters")
    return value


def _finite(data: dict[str, Any], key: str, where: str = "") -> float:
    value = data.get(key)
    name = f"{where}.{key}" if where else key
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise EnvelopeError(f"{name} must be a finite number (seconds since the epoch)")
    return float(value)


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list) or not 0 < len(value) <= MAX_SAMPLES_PER_ENVELOPE:
        raise EnvelopeError(f"{key} must be a list of 1..{MAX_SAMPLES_PER_ENVELOPE} items")
    return value
