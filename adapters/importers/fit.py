"""FIT activity files (Garmin, Wahoo, Coros, Zwift...) to a pure ``ImportedRide``, via fitdecode.

Before decoding, the framing and CRC of every FIT file in the stream (FIT allows chaining) are
checked, so a damaged or truncated file raises ``RideFileError`` with a precise message instead
of tripping the decoder somewhere in the middle; then the whole file is decoded before anything
is returned, so no partial ride ever comes out. Layout oddities that the
FIT SDK tolerates (a field size that is not a multiple of its base type, as in some Coros files)
are decoded the SDK's way, as bytes, without a warning.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import fitdecode
from fitdecode.utils import compute_crc

SEMICIRCLE_TO_DEG = 180.0 / 2**31
_TIMER_STOPS = frozenset({"stop", "stop_all", "stop_disable", "stop_disable_all"})

Record = tuple[float, Mapping[str, float]]


class RideFileError(ValueError):
    """The file is not a readable FIT activity; the message names the file and the problem."""


@dataclass(frozen=True)
class Lap:
    start_offset_s: float
    elapsed_s: float | None
    timer_s: float | None
    distance_m: float | None


@dataclass(frozen=True)
class Pause:
    """The timer was stopped (manually or by auto-pause) from ``start`` to ``end``."""

    start_offset_s: float
    end_offset_s: float

    @property
    def duration_s(self) -> float:
        return self.end_offset_s - self.start_offset_s


@dataclass(frozen=True)
class DeviceInfo:
    manufacturer: str | None
    product: str | None
    serial_number: int | None
    software_version: float | None


@dataclass(frozen=True)
class HeadUnitTotals:
    """What the recording device itself computed for the session (for comparison only)."""

    elapsed_s: float | None
    timer_s: float | None
    distance_m: float | None
    avg_power_w: float | None
    normalized_power_w: float | None
    tss: float | None
    work_kj: float | None


@dataclass(frozen=True)
class ImportedRide:
    """A decoded ride. Record and lap times are seconds since ``start_time`` (first record)."""

    start_time: dt.datetime
    records: tuple[Record, ...]
    laps: tuple[Lap, ...]
    pauses: tuple[Pause, ...]
    device: DeviceInfo
    sport: str | None
    sub_sport: str | None
    threshold_power_w: float | None
    threshold_hr_bpm: float | None
    max_hr_bpm: float | None
    rr_ms: tuple[float, ...]
    head_unit: HeadUnitTotals | None


def read_fit_ride(source: str | os.PathLike[str] | bytes) -> ImportedRide:
    """Decode a FIT activity from a path or from its bytes.

    Raises ``RideFileError`` for a damaged, truncated or non-activity file (a missing path
    raises the usual ``OSError``).
    """
    if isinstance(source, bytes):
        name, data = "<bytes>", source
    else:
        name = os.fspath(source)
        with open(source, "rb") as file:
            data = file.read()
    _check_framing(data, name)
    return _build_ride(_decode(data, name), name)


def _check_framing(data: bytes, name: str) -> None:
    """Each chained FIT file: a valid header, all the bytes it announces, and a matching CRC."""
    if not data:
        raise RideFileError(f"{name}: empty file")
    offset = 0
    while offset < len(data):
        header = data[offset : offset + 12]
        if len(header) < 12 or header[0] not in (12, 14) or header[8:12] != b".FIT":
            raise RideFileError(f"{name}: bad FIT header: no FIT file header at byte {offset}")
        body_size = int.from_bytes(header[4:8], "little")
        end = offset + header[0] + body_size
        if end + 2 > len(data):
            raise RideFileError(
                f"{name}: truncated FIT file: the header at byte {offset} announces "
                f"{end + 2 - offset} bytes, only {len(data) - offset} are there"
            )
        expected = int.from_bytes(data[end : end + 2], "little")
        computed = compute_crc(data, start=offset, end=end)
        if computed != expected:
            raise RideFileError(
                f"{name}: CRC mismatch, the file is damaged: the FIT file at byte {offset} "
                f"has CRC {expected:#06x}, its content gives {computed:#06x}"
            )
        offset = end + 2


_FIT_PROBLEMS: tuple[tuple[type[Exception], str], ...] = (
    (fitdecode.FitEOFError, "truncated FIT file"),
    (fitdecode.FitCRCError, "CRC mismatch, the file is damaged"),
    (fitdecode.FitHeaderError, "bad FIT header"),
    (fitdecode.FitParseError, "malformed FIT data"),
    (fitdecode.FitError, "unreadable FIT file"),
)


def _decode(data: bytes, name: str) -> dict[str, list[dict[str, Any]]]:
    messages: dict[str, list[dict[str, Any]]] = {}
    try:
        with fitdecode.FitReader(
            io.BytesIO(data),
            check_crc=fitdecode.CrcCheck.RAISE,
            error_handling=fitdecode.ErrorHandling.IGNORE,
        ) as reader:
            for frame in reader:
                if isinstance(frame, fitdecode.FitDataMessage):
                    fields = {f.name: f.value for f in frame.fields if f.value is not None}
                    messages.setdefault(frame.name, []).append(fields)
    except fitdecode.FitError as exc:
        problem = next(text for kind, text in _FIT_PROBLEMS if isinstance(exc, kind))
        raise RideFileError(f"{name}: {problem}: {exc}") from exc
    except (struct.error, ValueError, TypeError, AssertionError, EOFError) as exc:
        # A file with a valid CRC can still be malformed (a device bug); fitdecode then fails
        # deep inside with one of these instead of a FitError.
        raise RideFileError(f"{name}: malformed FIT data: {exc!r}") from exc
    return messages


def _build_ride(messages: dict[str, list[dict[str, Any]]], name: str) -> ImportedRide:
    file_id = (messages.get("file_id") or [{}])[0]
    file_type = file_id.get("type")
    if file_type is not None and file_type != "activity":
        raise RideFileError(f"{name}: not an activity file (FIT file type {file_type!r})")
    timed = [m for m in messages.get("record", []) if isinstance(m.get("timestamp"), dt.datetime)]
    if not timed:
        raise RideFileError(f"{name}: no timestamped record messages, nothing to import")
    timed.sort(key=lambda m: m["timestamp"])
    start: dt.datetime = timed[0]["timestamp"].astimezone(dt.UTC)

    def offset(moment: dt.datetime) -> float:
        return (moment - start).total_seconds()

    session = (messages.get("session") or [{}])[0]
    zones = (messages.get("zones_target") or [{}])[0]
    return ImportedRide(
        start_time=start,
        records=tuple((offset(m["timestamp"]), _record_values(m)) for m in timed),
        laps=_laps(messages.get("lap", []), offset),
        pauses=_pauses(messages.get("event", []), offset),
        device=_device(file_id, messages.get("device_info", [])),
        sport=_text(session.get("sport") or _first(messages, "sport", "sport")),
        sub_sport=_text(session.get("sub_sport") or _first(messages, "sport", "sub_sport")),
        threshold_power_w=_number(session.get("threshold_power"))
        or _number(zones.get("functional_threshold_power")),
        threshold_hr_bpm=_number(zones.get("threshold_heart_rate")),
        max_hr_bpm=_number(zones.get("max_heart_rate")),
        rr_ms=tuple(
            t * 1000.0
            for m in messages.get("hrv", [])
            for t in _as_tuple(m.get("time"))
            if _number(t) is not None
        ),
        head_unit=_head_unit(session) if session else None,
    )


def _record_values(message: Mapping[str, Any]) -> dict[str, float]:
    values: dict[str, float] = {}

    def put(key: str, value: float | None, scale: float = 1.0) -> None:
        if value is not None:
            values[key] = value * scale

    put("power_w", _number(message.get("power")))
    heart_rate = _number(message.get("heart_rate"))
    put("heart_rate_bpm", heart_rate if heart_rate else None)  # 0 bpm means no strap (Zwift)
    cadence = _number(message.get("cadence"))
    if cadence is not None:
        put("cadence_rpm", cadence + (_number(message.get("fractional_cadence")) or 0.0))
    speed = _number(message.get("enhanced_speed"))
    put("speed_kmh", speed if speed is not None else _number(message.get("speed")), 3.6)
    put("distance_m", _number(message.get("distance")))
    altitude = _number(message.get("enhanced_altitude"))
    put("altitude_m", altitude if altitude is not None else _number(message.get("altitude")))
    put("temperature_c", _number(message.get("temperature")))
    put("latitude_deg", _number(message.get("position_lat")), SEMICIRCLE_TO_DEG)
    put("longitude_deg", _number(message.get("position_long")), SEMICIRCLE_TO_DEG)
    return values


def _laps(laps: list[dict[str, Any]], offset: Callable[[dt.datetime], float]) -> tuple[Lap, ...]:
    found = [
        Lap(
            start_offset_s=offset(lap["start_time"]),
            elapsed_s=_number(lap.get("total_elapsed_time")),
            timer_s=_number(lap.get("total_timer_time")),
            distance_m=_number(lap.get("total_distance")),
        )
        for lap in laps
        if isinstance(lap.get("start_time"), dt.datetime)
    ]
    return tuple(sorted(found, key=lambda lap: lap.start_offset_s))


def _pauses(
    events: list[dict[str, Any]], offset: Callable[[dt.datetime], float]
) -> tuple[Pause, ...]:
    """Timer stop..start pairs; a final stop that is never resumed ends the ride, not a pause."""
    timer = sorted(
        (e["timestamp"], e.get("event_type"))
        for e in events
        if e.get("event") == "timer" and isinstance(e.get("timestamp"), dt.datetime)
    )
    pauses: list[Pause] = []
    stopped_at: dt.datetime | None = None
    for moment, kind in timer:
        if kind in _TIMER_STOPS and stopped_at is None:
            stopped_at = moment
        elif kind == "start" and stopped_at is not None:
            pauses.append(Pause(offset(stopped_at), offset(moment)))
            stopped_at = None
    return tuple(pauses)


def _device(file_id: Mapping[str, Any], device_infos: list[dict[str, Any]]) -> DeviceInfo:
    creator = next((d for d in device_infos if d.get("device_index") == "creator"), {})
    product = (
        file_id.get("product_name")
        or creator.get("product_name")
        or file_id.get("garmin_product")
        or file_id.get("product")
    )
    serial = file_id.get("serial_number")
    return DeviceInfo(
        manufacturer=_text(file_id.get("manufacturer")),
        product=_text(product),
        serial_number=serial if isinstance(serial, int) else None,
        software_version=_number(creator.get("software_version")),
    )


def _head_unit(session: Mapping[str, Any]) -> HeadUnitTotals:
    work_j = _number(session.get("total_work"))
    return HeadUnitTotals(
        elapsed_s=_number(session.get("total_elapsed_time")),
        timer_s=_number(session.get("total_timer_time")),
        distance_m=_number(session.get("total_distance")),
        avg_power_w=_number(session.get("avg_power")),
        normalized_power_w=_number(session.get("normalized_power")),
        tss=_number(session.get("training_stress_score")),
        work_kj=work_j / 1000.0 if work_j is not None else None,
    )


def _first(messages: Mapping[str, list[dict[str, Any]]], message: str, field: str) -> Any:
    return next((m[field] for m in messages.get(message, []) if field in m), None)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else (value,)
