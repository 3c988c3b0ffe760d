"""Versions, limits and the trainer's result codes of the wire contract (stdlib only, so that
the domain can read them too)."""

from __future__ import annotations

from enum import IntEnum

PROTOCOL_VERSION = 1  # the envelope's "v"
COMMAND_VERSION = 1  # a trainer command's "v"
MAX_SAMPLES_PER_ENVELOPE = 1000
MAX_RAW_BYTES = 512


class ResultCode(IntEnum):
    """FTMS control point result codes: what a bridge acknowledges for a trainer command."""

    SUCCESS = 0x01
    NOT_SUPPORTED = 0x02
    INVALID_PARAMETER = 0x03
    OPERATION_FAILED = 0x04
    CONTROL_NOT_PERMITTED = 0x05


RESULT_NAMES: dict[int, str] = {code.value: code.name.lower() for code in ResultCode}
