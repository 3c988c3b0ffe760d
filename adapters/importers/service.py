"""Ride files into the event store: one imported ride = one finished WorkoutSession.

The file is decoded completely first (a damaged or truncated file raises `RideFileError` and
nothing is stored); then the session (transport "import"), one SampleRecorded event per
record (`imported=True`), the heart-rate RR intervals, what recorded it (RecordingDescribed:
sport, sub-sport, device), a LapMarked at the start of each of the file's laps after the
first (`at_device_time`: the ride clock), and Finished are saved. The
projectors treat the session like any other ride.

The session id is derived from the athlete and the file's bytes, so importing the same file
again for the same athlete is recognised and stores nothing twice. The whole ride, Started
to Finished, is saved in one transaction: an import either stores all of it or nothing
(through the one load-check-retry helper, adapters/services/conflicts.py).
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from adapters.eventstore import WattlogStore
from adapters.importers.fit import ImportedRide, RideFileError, read_fit_ride
from adapters.services.conflicts import find, retry_on_conflict
from domain.athletes import Athlete
from domain.sessions import MAX_FTP_W, MIN_FTP_W, WorkoutSession

IMPORT_NAMESPACE = uuid.UUID("5f0c3f0e-2b1d-4c55-9a57-6f7e2d1c9b10")
RECORD_SENSOR = "fit"
RECORD_CHARACTERISTIC = "fit_record"
HRV_SENSOR = "fit-hrv"
HRV_CHARACTERISTIC = "fit_hrv"
RR_UNITS_PER_MS = 1024.0 / 1000.0


class RideImportError(ValueError):
    """A ride cannot be imported; the message says why (nothing was stored)."""


@dataclass(frozen=True)
class RideImport:
    session_id: UUID
    created: bool  # False: this file was already imported for this athlete
    samples: int
    started_at: datetime
    ftp_w: int


def import_ride(
    store: WattlogStore,
    *,
    athlete_id: UUID,
    data: bytes,
    owner_id: UUID | None = None,
    ftp_w: int | None = None,
    name: str = "<upload>",
) -> RideImport:
    """Imports one FIT file for ``athlete_id``; returns the session it became.

    ``owner_id`` and ``ftp_w`` default to the athlete's profile (its owner, its FTP on the
    ride's day), else the FTP recorded in the file. Raises `RideImportError`.
    """
    session_id = uuid.uuid5(IMPORT_NAMESPACE, f"{athlete_id}:{hashlib.sha256(data).hexdigest()}")
    try:
        ride = read_fit_ride(data)
    except RideFileError as error:
        raise RideImportError(str(error).replace("<bytes>", name, 1)) from None
    athlete = find(store, athlete_id, Athlete)
    owner = owner_id or (athlete.owner_id if athlete is not None else None)
    if owner is None:
        raise RideImportError(f"{name}: athlete {athlete_id} is unknown: give the owner explicitly")
    ftp = _ftp(ride, athlete, ftp_w, name)

    readings = list(_readings(ride))

    def attempt() -> RideImport:
        session = _session(store, session_id)
        if session is not None and not session.is_active:
            return RideImport(session_id, False, 0, ride.start_time, ftp)
        if session is None:
            session = WorkoutSession.start(
                athlete_id=athlete_id,
                owner_id=owner,
                client_id=f"import-{session_id.hex[:12]}",
                ftp_w=ftp,
                transport="import",
                session_id=session_id,
                # The ride starts with its first record (History is in ride order).
                started_at=_first_record_at(readings, ride.start_time),
            )
        count = 0
        for seq, (device_time, values) in enumerate(readings):
            hrv = "rr_1024" in values
            count += session.record_sample(
                client_id=session.client_id,
                seq=seq,
                device_time=device_time,
                sensor_id=HRV_SENSOR if hrv else RECORD_SENSOR,
                characteristic=HRV_CHARACTERISTIC if hrv else RECORD_CHARACTERISTIC,
                raw=b"",
                values=values,
                imported=True,
            )
        if session.sample_count == 0:
            raise RideImportError(f"{name}: the file holds no readings to import")
        session.describe_recording(sport=ride.sport, sub_sport=ride.sub_sport, device=_device(ride))
        for lap_start in _lap_marks(ride):
            session.mark_lap(at_device_time=lap_start)
        session.finish()
        store.save(session)
        return RideImport(session_id, True, count, ride.start_time, ftp)

    # The same file imported twice at once: the import that loses the race finds the ride
    # the other one stored, and answers "already imported".
    try:
        return retry_on_conflict(attempt, what="ride import")
    except IntegrityError:
        raise RideImportError(
            f"session {session_id} was changed while importing; import the file again"
        ) from None


def _readings(ride: ImportedRide) -> Iterator[tuple[float, dict[str, Any]]]:
    start = ride.start_time.timestamp()
    for offset, values in ride.records:
        usable = {
            k: v for k, v in values.items() if isinstance(v, int | float) and math.isfinite(v)
        }
        if usable:
            yield start + offset, usable
    # RR intervals carry no timestamps in FIT: each beat is placed at the running sum of the
    # intervals since the first record, grouped per second.
    elapsed_ms = 0.0
    by_second: dict[int, list[int]] = {}
    for rr in ride.rr_ms:
        elapsed_ms += rr
        by_second.setdefault(int(elapsed_ms // 1000), []).append(round(rr * RR_UNITS_PER_MS))
    for second, beats in sorted(by_second.items()):
        yield start + second, {"rr_1024": beats}


def _first_record_at(readings: list[tuple[float, dict[str, Any]]], start: datetime) -> datetime:
    if not readings:
        return start
    return datetime.fromtimestamp(min(device_time for device_time, _ in readings), UTC)


def _device(ride: ImportedRide) -> dict[str, Any]:
    device = ride.device
    return {
        "manufacturer": device.manufacturer,
        "product": device.product,
        "serial_number": device.serial_number,
        "software_version": device.software_version,
    }


def _lap_marks(ride: ImportedRide) -> list[float]:
    """Device times at which the file's laps after the first begin, as a rider's lap button
    marks them; a lap starting at (or before) the first record or after the last is no mark."""
    start = ride.start_time.timestamp()
    last = ride.records[-1][0] if ride.records else 0.0
    return [start + lap.start_offset_s for lap in ride.laps if 0.0 < lap.start_offset_s < last]


def _session(store: WattlogStore, session_id: UUID) -> WorkoutSession | None:
    session = find(store, session_id, Aggregate)
    if session is not None and not isinstance(session, WorkoutSession):
        raise RideImportError(f"{session_id} is not a ride session")
    return session


def _ftp(ride: ImportedRide, athlete: Athlete | None, ftp_w: int | None, name: str) -> int:
    if ftp_w is not None:
        chosen: float | None = ftp_w
    elif athlete is not None:
        chosen = athlete.ftp_on(athlete.local_day(ride.start_time))
    else:
        chosen = ride.threshold_power_w
    if chosen is None:
        raise RideImportError(f"{name}: no FTP known for this ride: give one explicitly")
    ftp = round(chosen)
    if not MIN_FTP_W <= ftp <= MAX_FTP_W:
        raise RideImportError(f"{name}: FTP {ftp} W is outside {MIN_FTP_W}..{MAX_FTP_W} W")
    return ftp
