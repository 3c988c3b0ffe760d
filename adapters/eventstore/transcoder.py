"""orjson transcoding for stored events and snapshots.

orjson writes UUIDs and datetimes natively, as plain strings, so they would come back as
`str`. Values of those types (and `bytes`, which JSON cannot hold) are therefore tagged on
the way in, in the same `{"_type_": ..., "_data_": ...}` shape the library's JSON transcoder
uses, and restored on the way out.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Transcoder

_TAG = "_type_"
_DATA = "_data_"


def tagged(kind: str, data: object) -> dict[str, object]:
    return {_TAG: kind, _DATA: data}


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _tag(obj: Any) -> Any:
    kind = type(obj)
    if kind in _PLAIN:  # most values: checked first, by exact type (the hot path of ingest)
        return obj
    if kind is dict:
        return {key: value if type(value) in _PLAIN else _tag(value) for key, value in obj.items()}
    if isinstance(obj, dict):
        return {key: _tag(value) for key, value in obj.items()}
    if isinstance(obj, list | tuple):
        return [_tag(value) for value in obj]
    if isinstance(obj, UUID):
        return {_TAG: "uuid_hex", _DATA: obj.hex}
    if isinstance(obj, datetime):
        return {_TAG: "datetime_iso", _DATA: obj.isoformat()}
    if isinstance(obj, date):
        return {_TAG: "date_iso", _DATA: obj.isoformat()}
    if isinstance(obj, bytes):
        return {_TAG: "bytes_b64", _DATA: base64.b64encode(obj).decode("ascii")}
    return obj


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "uuid_hex": UUID,
    "datetime_iso": datetime.fromisoformat,
    "date_iso": date.fromisoformat,
    "bytes_b64": base64.b64decode,
}


def _untag(obj: Any) -> Any:
    if isinstance(obj, dict):
        if len(obj) == 2 and _TAG in obj and _DATA in obj:
            return _DECODERS[obj[_TAG]](obj[_DATA])
        return {key: _untag(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [_untag(value) for value in obj]
    return obj


class OrjsonTranscoder(Transcoder):
    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(_tag(obj))

    def decode(self, data: bytes) -> Any:
        return _untag(orjson.loads(data))
