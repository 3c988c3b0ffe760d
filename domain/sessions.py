"""The WorkoutSession aggregate: one ride, from start to finish or discard.

Public command methods validate and decide; the private methods decorated with
``@event`` only assign state, because the library runs them again on every replay.
State is kept JSON-compatible (ids as text, plain lists and dicts with str keys) and
small: snapshots store ``vars(session)``, so the session keeps running totals and a
compact range set of sequence numbers, never the samples themselves.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeGuard
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import seqranges
from domain.errors import (
    DeviceTimeOutOfRange,
    InvalidCommand,
    InvalidSample,
    InvalidSession,
    NoWorkout,
    SampleOutsideSession,
    SessionAlreadyEnded,
    SessionAlreadyPaused,
    SessionNotPaused,
    UnknownClient,
)
from domain.workouts.model import Workout
from wire.limits import MAX_RAW_BYTES, RESULT_NAMES, ResultCode

SampleValue = float | int | list[int] | bool
_BYTES = (bytes, bytearray)

TRANSPORTS = frozenset({"desktop", "phone", "import"})
MIN_FTP_W = 1
MAX_FTP_W = 2000
MAX_CLIENT_ID_LENGTH = 128
MAX_NAME_LENGTH = 64
MAX_SEQ = 2**63 - 1  # the largest integer the event store's JSON encoder writes
MAX_REASON_LENGTH = 500
MAX_LABEL_LENGTH = 64

COMMAND_VALUE_LIMITS: dict[str, tuple[float, float]] = {
    "target_power": (0.0, 2500.0),  # watts
    "slope": (-40.0, 40.0),  # percent grade
    "resistance": (0.0, 100.0),  # percent
}
VALUELESS_COMMANDS = frozenset({"start", "stop"})
# Commands that set what the trainer does: during a workout, a rider's own one is a manual
# target that holds until the workout's next step (docs/workouts.md, "Manual targets").
TRAINER_SETTINGS = frozenset(COMMAND_VALUE_LIMITS)
# Workout intensity: the workout's targets scaled, in whole percent (TrainerRoad's range).
MIN_INTENSITY_PCT = 50
MAX_INTENSITY_PCT = 150
DEFAULT_INTENSITY_PCT = 100
FTMS_SUCCESS = int(ResultCode.SUCCESS)
FTMS_FAILURE_REASONS: dict[int, str] = {
    code: name for code, name in RESULT_NAMES.items() if code != FTMS_SUCCESS
}
# Resolved command ids are forgotten after this many newer resolutions: enough to absorb
# redelivered issue requests while keeping the state bounded on a long ride.
RESOLVED_COMMANDS_REMEMBERED = 100
# Commands that the session's own workout issued carry this in `issued_by` (the nil UUID).
WORKOUT_ISSUER = UUID(int=0)
# The ride clock (what a workout follows) advances with the device time of the samples
# while the session runs; a longer silence counts as this much (the bridge was gone).
MAX_RIDE_CLOCK_STEP_S = 2.0
# Device times come from the bridge's clock, session times from the server's. A bridge
# sample may be this far ahead of the server's clock, and this far outside its session's
# start and end (docs/domain.md, "Device times at the boundary").
MAX_CLOCK_SKEW_S = 300.0


class SessionStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    DISCARDED = "discarded"


ACTIVE_STATUSES = frozenset({SessionStatus.RUNNING.value, SessionStatus.PAUSED.value})
# The plain strings, for the checks made on every sample (an enum's `.value` is a property).
_RUNNING = SessionStatus.RUNNING.value
_FINISHED = SessionStatus.FINISHED.value


class WorkoutSession(Aggregate):
    """A ride: samples, trainer commands, laps and its running/paused/ended state.

    Create it with :meth:`start`; calling the class directly skips validation.
    """

    # Class-level defaults: snapshots taken before these existed restore without them.
    _ride_time_s: float = 0.0
    _ride_clock_at: float | None = None
    _workout_command: list[Any] | None = None  # [kind, value] the workout last issued
    _late_samples_pending: int = 0  # recorded after the finish, not yet announced
    _target_in_force: list[Any] | None = None  # [kind, value, "workout" | "rider"]
    _manual_target: list[Any] | None = None  # [kind, value, step index it holds for]
    _intensity_pct: int = DEFAULT_INTENSITY_PCT
    _workout_control_version: int = 0  # counts manual target and intensity changes
    _recording: dict[str, Any] | None = None  # sport, sub-sport, device of an imported file

    @event("Started")
    def __init__(
        self,
        id: UUID | None,  # the library passes the aggregate id; the base class keeps it
        athlete_id: UUID,
        owner_id: UUID,
        client_id: str,
        ftp_w: int,
        transport: str,
        workout: dict[str, Any] | None,
        timestamp: datetime | None = None,  # the library's: an imported ride's first record
    ) -> None:
        self._athlete_id = str(athlete_id)
        self._owner_id = str(owner_id)
        self._ftp_w = ftp_w
        self._transport = transport
        self._client_id = client_id
        self._client_ids = [client_id]
        self._workout = workout
        self._status = SessionStatus.RUNNING.value
        self._ended_at: str | None = None
        self._discard_reason: str | None = None
        self._seq_ranges: dict[str, seqranges.SeqRanges] = {client_id: []}
        self._sample_count = 0
        self._samples_by_characteristic: dict[str, int] = {}
        self._first_device_time: float | None = None
        self._last_device_time: float | None = None
        self._lap_count = 0
        self._pending_commands: dict[str, str] = {}  # command id -> kind
        self._recently_resolved_commands: list[str] = []
        self._commands_issued = 0
        self._commands_acknowledged = 0
        self._commands_failed = 0

    @classmethod
    def start(
        cls,
        athlete_id: UUID,
        owner_id: UUID,
        client_id: str,
        ftp_w: int,
        transport: str = "desktop",
        workout: Mapping[str, Any] | None = None,
        session_id: UUID | None = None,
        started_at: datetime | None = None,
    ) -> WorkoutSession:
        """Start a session; ``session_id`` lets the caller choose the aggregate id.

        An imported ride (transport "import") starts when its first record was made:
        ``started_at``, which only imports may give. A live ride starts now.
        """
        for name, value in (("athlete_id", athlete_id), ("owner_id", owner_id)):
            if not isinstance(value, UUID):
                raise InvalidSession(f"{name} must be a UUID, got {value!r}")
        if session_id is not None and not isinstance(session_id, UUID):
            raise InvalidSession(f"session_id must be a UUID, got {session_id!r}")
        _check_client_id(client_id, InvalidSession)
        if not _is_int(ftp_w) or not MIN_FTP_W <= ftp_w <= MAX_FTP_W:
            raise InvalidSession(f"ftp_w must be an int in {MIN_FTP_W}..{MAX_FTP_W} W")
        _check_transport(transport)
        if workout is not None and not (isinstance(workout, Mapping) and _is_json(workout)):
            raise InvalidSession("workout must be a JSON-compatible mapping with str keys")
        if started_at is not None and (
            transport != "import" or not isinstance(started_at, datetime) or not started_at.tzinfo
        ):
            raise InvalidSession("started_at must be an aware datetime, for imported rides only")
        return cls(
            id=session_id,
            athlete_id=athlete_id,
            owner_id=owner_id,
            client_id=client_id,
            ftp_w=ftp_w,
            transport=transport,
            workout=None if workout is None else copy.deepcopy(dict(workout)),
            timestamp=None if started_at is None else started_at.astimezone(UTC),
        )

    # Samples

    def record_sample(
        self,
        client_id: str,
        seq: int,
        device_time: float,
        sensor_id: str,
        characteristic: str,
        raw: bytes,
        values: Mapping[str, SampleValue],
        imported: bool = False,
        received_at: float | None = None,
    ) -> bool:
        """Record one BLE notification; return False if (client_id, seq) is already recorded.

        ``received_at`` (seconds since the epoch, the server's clock) is given for samples
        that arrive from a bridge; it bounds their device time: not more than
        MAX_CLOCK_SKEW_S after ``received_at`` (DeviceTimeOutOfRange), and within the
        session's span widened by MAX_CLOCK_SKEW_S at both ends (SampleOutsideSession).
        Such a sample is also accepted after the session finished, as a late sample:
        :meth:`flush_late_samples` then announces them, so the ride's figures are redone.
        Without ``received_at`` (imported rides, whose device times are years old) only
        the shape is checked, and a new sample after the end is refused.

        A redelivered sample is recognised even after the session ended; a new one is
        refused then with SessionAlreadyEnded (finished with ``received_at``: see above).
        """
        _check_client_id(client_id, InvalidSample)
        if not _is_int(seq) or not 0 <= seq <= MAX_SEQ:
            raise InvalidSample(f"seq must be an int in 0..{MAX_SEQ}, got {seq!r}")
        if not _is_number(device_time) or device_time < 0:
            raise InvalidSample(f"device_time must be a finite number >= 0, got {device_time!r}")
        for name, text in (("sensor_id", sensor_id), ("characteristic", characteristic)):
            if not isinstance(text, str) or not 0 < len(text) <= MAX_NAME_LENGTH:
                raise InvalidSample(f"{name} must be a str of 1..{MAX_NAME_LENGTH} characters")
        if not isinstance(raw, _BYTES) or len(raw) > MAX_RAW_BYTES:
            raise InvalidSample(f"raw must be bytes of at most {MAX_RAW_BYTES}")
        if not isinstance(imported, bool):
            raise InvalidSample("imported must be a bool")
        plain_values = _checked_values(values)
        ranges = self._seq_ranges.get(client_id)
        if ranges is None:
            raise UnknownClient(f"client {client_id!r} is not part of session {self.id}")
        if seqranges.contains(ranges, seq):
            return False
        if received_at is not None:
            check_device_time(device_time, received_at)
            if not imported:
                self._check_within_span(device_time)
        if not (received_at is not None and self._status == _FINISHED):
            self._ensure_active()
        self._trigger_sample_recorded(
            client_id,
            seq,
            float(device_time),
            sensor_id,
            characteristic,
            raw if type(raw) is bytes else bytes(raw),
            plain_values,
            imported,
        )
        return True

    @event("SampleRecorded")
    def _record_sample(
        self,
        client_id: str,
        seq: int,
        device_time: float,
        sensor_id: str,
        characteristic: str,
        raw: bytes,
        values: dict[str, SampleValue],
        imported: bool,
    ) -> None:
        self._apply_sample(client_id, seq, device_time, characteristic)

    def _trigger_sample_recorded(
        self,
        client_id: str,
        seq: int,
        device_time: float,
        sensor_id: str,
        characteristic: str,
        raw: bytes,
        values: dict[str, SampleValue],
        imported: bool,
    ) -> None:
        """What calling `_record_sample` does (the library's `trigger_event`: a new
        SampleRecorded, next in version, applied, then pending), for the event triggered
        once per notification, thousands a second in the ingest worker, in a fraction of
        the time: the library re-binds the arguments to the method's signature, builds the
        frozen dataclass field by field, then filters the event's fields back into
        arguments to apply it. The event equals the library's, field for field and in the
        same order (tests/unit/domain/test_sample_event_fast_path.py); its arguments are
        already valid, since only `record_sample` calls this, after its checks."""
        version = self.version + 1
        timestamp = _SAMPLE_RECORDED.create_timestamp()
        new_event = object.__new__(_SAMPLE_RECORDED)
        # The frozen dataclass's own __init__ sets its fields in this order.
        vars(new_event).update(
            originator_id=self.id,
            originator_version=version,
            timestamp=timestamp,
            client_id=client_id,
            seq=seq,
            device_time=device_time,
            sensor_id=sensor_id,
            characteristic=characteristic,
            raw=raw,
            values=values,
            imported=imported,
        )
        self._apply_sample(client_id, seq, device_time, characteristic)
        self.version = version
        self.modified_on = timestamp
        self.pending_events.append(new_event)

    def _apply_sample(
        self, client_id: str, seq: int, device_time: float, characteristic: str
    ) -> None:
        # Only assigns: run for every SampleRecorded, when recorded and on every replay.
        seqranges.add(self._seq_ranges.setdefault(client_id, []), seq)
        self._sample_count += 1
        if self._status == _FINISHED:
            self._late_samples_pending += 1
        by_characteristic = self._samples_by_characteristic
        by_characteristic[characteristic] = by_characteristic.get(characteristic, 0) + 1
        if self._first_device_time is None or device_time < self._first_device_time:
            self._first_device_time = device_time
        if self._last_device_time is None or device_time > self._last_device_time:
            self._last_device_time = device_time
        self._advance_ride_clock(device_time)

    def _check_within_span(self, device_time: float) -> None:
        started = self.created_on.timestamp()
        if device_time < started - MAX_CLOCK_SKEW_S:
            raise SampleOutsideSession(
                f"device_time {device_time!r} is {started - device_time:.0f} s before session"
                f" {self.id} started (at most {MAX_CLOCK_SKEW_S:.0f} s of clock skew allowed)"
            )
        ended = self.ended_at
        if ended is not None and device_time > ended.timestamp() + MAX_CLOCK_SKEW_S:
            raise SampleOutsideSession(
                f"device_time {device_time!r} is {device_time - ended.timestamp():.0f} s after"
                f" session {self.id} ended (at most {MAX_CLOCK_SKEW_S:.0f} s of clock skew allowed)"
            )

    def flush_late_samples(self) -> int:
        """Announce the samples recorded since the session finished (LateSamplesRecorded),
        so that its figures are computed again; returns how many (0: no event)."""
        count = self._late_samples_pending
        if count:
            self._record_late_samples(count=count)
        return count

    @event("LateSamplesRecorded")
    def _record_late_samples(self, count: int) -> None:
        self._late_samples_pending = 0

    def _advance_ride_clock(self, device_time: float) -> None:
        last = self._ride_clock_at
        if last is not None and device_time <= last:
            return  # a late sample (another sensor, a backlog) does not move the clock
        if last is not None and self._status == _RUNNING:
            self._ride_time_s += min(device_time - last, MAX_RIDE_CLOCK_STEP_S)
        self._ride_clock_at = device_time

    # Trainer commands

    def issue_command(
        self, command_id: UUID, kind: str, value: float | None, issued_by: UUID
    ) -> None:
        """Issue a trainer command to the current client; a known command_id is a no-op."""
        if not isinstance(command_id, UUID):
            raise InvalidCommand(f"command_id must be a UUID, got {command_id!r}")
        key = str(command_id)
        if key in self._pending_commands or key in self._recently_resolved_commands:
            return
        self._ensure_active()
        if not isinstance(issued_by, UUID):
            raise InvalidCommand(f"issued_by must be a UUID, got {issued_by!r}")
        checked = _checked_command_value(kind, value)
        step_index = self._workout_step_index()
        if kind in TRAINER_SETTINGS and issued_by != WORKOUT_ISSUER and step_index is not None:
            self._set_manual_target(kind=kind, value=checked, step_index=step_index)
        self._issue_command(
            command_id=command_id,
            kind=kind,
            value=checked,
            issued_by=issued_by,
            client_id=self._client_id,
        )

    @event("CommandIssued")
    def _issue_command(
        self,
        command_id: UUID,
        kind: str,
        value: float | None,
        issued_by: UUID,
        client_id: str,
    ) -> None:
        self._pending_commands[str(command_id)] = kind
        self._commands_issued += 1
        if issued_by == WORKOUT_ISSUER:
            self._workout_command = [kind, value]
        if kind in TRAINER_SETTINGS:
            source = "workout" if issued_by == WORKOUT_ISSUER else "rider"
            self._target_in_force = [kind, value, source]

    # Workout control: manual targets and intensity (docs/workouts.md, "Manual targets")

    def follow_workout(
        self, command_id: UUID, kind: str, value: float | None, step_index: int | None
    ) -> bool:
        """Apply what the workout asks for at ``step_index`` (None: the workout ended).

        A manual target holds while its step lasts: the workout's target is then left out.
        The next step (or the end) ends the manual target and is issued even when equal to
        it (the workout has the trainer again); otherwise a target equal to the one in force
        is not issued again. Returns True when a command was issued.
        """
        if step_index is not None and (not _is_int(step_index) or step_index < 0):
            raise InvalidCommand(f"step_index must be an int >= 0 or None, got {step_index!r}")
        self._ensure_active()
        manual = self._manual_target
        if manual is not None:
            if step_index is not None and step_index == manual[2]:
                return False
            self._end_manual_target(reason="next_step" if step_index is not None else "ended")
        elif self.target_in_force is not None and self.target_in_force[:2] == (kind, value):
            return False  # a fresh engine starts with the target in force
        self.issue_command(command_id, kind, value, WORKOUT_ISSUER)
        return True

    def resume_workout(self) -> bool:
        """End the rider's manual target: the workout's target applies again (False if
        there was none)."""
        self._ensure_active()
        if not self.has_workout:
            raise NoWorkout(f"session {self.id} rides no workout")
        if self._manual_target is None:
            return False
        self._end_manual_target(reason="resumed")
        return True

    def change_workout_intensity(self, percent: int) -> None:
        """Scale the workout's targets to ``percent`` of them; ends a manual target, since
        the rider asks for the workout's targets."""
        self._ensure_active()
        if not self.has_workout:
            raise NoWorkout(f"session {self.id} rides no workout")
        if not _is_int(percent) or not MIN_INTENSITY_PCT <= percent <= MAX_INTENSITY_PCT:
            raise InvalidCommand(
                f"intensity must be a whole percent in {MIN_INTENSITY_PCT}..{MAX_INTENSITY_PCT},"
                f" got {percent!r}"
            )
        if self._manual_target is not None:
            self._end_manual_target(reason="intensity")
        if percent != self._intensity_pct:
            self._change_workout_intensity(percent=percent)

    @event("ManualTargetSet")
    def _set_manual_target(self, kind: str, value: float | None, step_index: int) -> None:
        self._manual_target = [kind, value, step_index]
        self._workout_control_version += 1

    @event("ManualTargetEnded")
    def _end_manual_target(self, reason: str) -> None:
        self._manual_target = None
        self._workout_control_version += 1

    @event("WorkoutIntensityChanged")
    def _change_workout_intensity(self, percent: int) -> None:
        self._intensity_pct = percent
        self._workout_control_version += 1

    def _workout_step_index(self) -> int | None:
        """The workout step at the session's ride time; None without a workout or after it."""
        if self._workout is None:
            return None
        return Workout.from_dict(self._workout).step_index_at(self._ride_time_s)

    def acknowledge_command(self, command_id: UUID, result_code: int) -> bool:
        """Record the trainer's FTMS result code for a pending command.

        Returns False for unknown or already resolved ids (acknowledgements can be
        redelivered). Accepted after the session ended: a trainer's answer can be late.
        """
        if not isinstance(command_id, UUID):
            raise InvalidCommand(f"command_id must be a UUID, got {command_id!r}")
        if not _is_int(result_code) or not 0 <= result_code <= 0xFF:
            raise InvalidCommand(f"result_code must be an FTMS result byte, got {result_code!r}")
        kind = self._pending_commands.get(str(command_id))
        if kind is None:
            return False
        if result_code == FTMS_SUCCESS:
            self._acknowledge_command(command_id=command_id, kind=kind)
        else:
            self._fail_command(
                command_id=command_id,
                kind=kind,
                result_code=result_code,
                reason=FTMS_FAILURE_REASONS.get(result_code, "unknown"),
            )
        return True

    @event("CommandAcknowledged")
    def _acknowledge_command(self, command_id: UUID, kind: str) -> None:
        self._resolve_command(str(command_id))
        self._commands_acknowledged += 1

    @event("CommandFailed")
    def _fail_command(self, command_id: UUID, kind: str, result_code: int, reason: str) -> None:
        self._resolve_command(str(command_id))
        self._commands_failed += 1

    def _resolve_command(self, key: str) -> None:
        self._pending_commands.pop(key, None)
        self._recently_resolved_commands.append(key)
        del self._recently_resolved_commands[:-RESOLVED_COMMANDS_REMEMBERED]

    # Laps, pause, transport

    def mark_lap(self, at_device_time: float | None = None) -> None:
        self._ensure_active()
        if at_device_time is not None and (not _is_number(at_device_time) or at_device_time < 0):
            raise InvalidSession("at_device_time must be a finite number >= 0 or None")
        self._mark_lap(
            lap_number=self._lap_count + 1,
            at_device_time=None if at_device_time is None else float(at_device_time),
        )

    @event("LapMarked")
    def _mark_lap(self, lap_number: int, at_device_time: float | None) -> None:
        self._lap_count = lap_number

    def describe_recording(
        self, sport: str | None, sub_sport: str | None, device: Mapping[str, Any]
    ) -> None:
        """What recorded the ride (an imported file's sport, sub-sport and head unit)."""
        self._ensure_active()
        for name, text in (("sport", sport), ("sub_sport", sub_sport)):
            if text is not None and (not isinstance(text, str) or len(text) > MAX_LABEL_LENGTH):
                raise InvalidSession(f"{name} must be None or a str of at most {MAX_LABEL_LENGTH}")
        if not isinstance(device, Mapping) or not _is_json(device):
            raise InvalidSession("device must be a JSON-compatible mapping with str keys")
        if len(repr(device)) > MAX_REASON_LENGTH:
            raise InvalidSession(f"device must describe itself in {MAX_REASON_LENGTH} characters")
        self._describe_recording(sport=sport, sub_sport=sub_sport, device=dict(device))

    @event("RecordingDescribed")
    def _describe_recording(
        self, sport: str | None, sub_sport: str | None, device: dict[str, Any]
    ) -> None:
        self._recording = {"sport": sport, "sub_sport": sub_sport, "device": device}

    def pause(self) -> None:
        self._ensure_active()
        if self._status == SessionStatus.PAUSED:
            raise SessionAlreadyPaused(f"session {self.id} is already paused")
        self._pause()

    @event("Paused")
    def _pause(self) -> None:
        self._status = SessionStatus.PAUSED.value

    def resume(self) -> None:
        self._ensure_active()
        if self._status != SessionStatus.PAUSED:
            raise SessionNotPaused(f"session {self.id} is not paused")
        self._resume()

    @event("Resumed")
    def _resume(self) -> None:
        self._status = SessionStatus.RUNNING.value

    def switch_transport(self, transport: str, client_id: str) -> bool:
        """Move the live ride to another client; False if already on exactly that one.

        Samples from every client that took part stay accepted, deduplicated per client.
        """
        self._ensure_active()
        _check_transport(transport)
        _check_client_id(client_id, InvalidSession)
        if (transport, client_id) == (self._transport, self._client_id):
            return False
        self._switch_transport(
            from_transport=self._transport,
            to_transport=transport,
            from_client_id=self._client_id,
            to_client_id=client_id,
        )
        return True

    @event("TransportSwitched")
    def _switch_transport(
        self, from_transport: str, to_transport: str, from_client_id: str, to_client_id: str
    ) -> None:
        self._transport = to_transport
        self._client_id = to_client_id
        if to_client_id not in self._client_ids:
            self._client_ids.append(to_client_id)
        self._seq_ranges.setdefault(to_client_id, [])

    # Ending

    def finish(self) -> None:
        self._ensure_active()
        if self._transport == "import" and self._last_device_time is not None:
            # An imported ride ends at its last record, not when the file was read.
            last = datetime.fromtimestamp(self._last_device_time, UTC)
            self._finish(timestamp=max(last, self.created_on))
        else:
            self._finish()

    # The library hands a decorated method the event's own timestamp when it asks for
    # one; the default None makes the library stamp the event when it is triggered.
    @event("Finished")
    def _finish(self, timestamp: datetime | None = None) -> None:
        self._status = SessionStatus.FINISHED.value
        self._ended_at = _iso(timestamp)

    def discard(self, reason: str) -> None:
        self._ensure_active()
        if not isinstance(reason, str) or len(reason) > MAX_REASON_LENGTH:
            raise InvalidSession(f"reason must be a str of at most {MAX_REASON_LENGTH}")
        self._discard(reason=reason)

    @event("Discarded")
    def _discard(self, reason: str, timestamp: datetime | None = None) -> None:
        self._status = SessionStatus.DISCARDED.value
        self._discard_reason = reason
        self._ended_at = _iso(timestamp)

    def _ensure_active(self) -> None:
        if self._status not in ACTIVE_STATUSES:
            raise SessionAlreadyEnded(f"session {self.id} is {self._status}")

    # Read-only views

    @property
    def status(self) -> SessionStatus:
        return SessionStatus(self._status)

    @property
    def is_active(self) -> bool:
        return self._status in ACTIVE_STATUSES

    @property
    def athlete_id(self) -> UUID:
        return UUID(self._athlete_id)

    @property
    def owner_id(self) -> UUID:
        return UUID(self._owner_id)

    @property
    def ftp_w(self) -> int:
        return self._ftp_w

    @property
    def workout(self) -> dict[str, Any] | None:
        return copy.deepcopy(self._workout)

    @property
    def recording(self) -> dict[str, Any] | None:
        """`{"sport", "sub_sport", "device"}` for an imported file, else None."""
        return copy.deepcopy(self._recording)

    @property
    def has_workout(self) -> bool:
        return self._workout is not None

    @property
    def transport(self) -> str:
        return self._transport

    @property
    def client_id(self) -> str:
        """The client currently driving the ride (commands go there)."""
        return self._client_id

    @property
    def client_ids(self) -> tuple[str, ...]:
        """Every client that took part, in order of first appearance."""
        return tuple(self._client_ids)

    @property
    def started_at(self) -> datetime:
        return self.created_on

    @property
    def ended_at(self) -> datetime | None:
        return None if self._ended_at is None else datetime.fromisoformat(self._ended_at)

    @property
    def discard_reason(self) -> str | None:
        return self._discard_reason

    @property
    def sample_count(self) -> int:
        return self._sample_count

    @property
    def samples_by_characteristic(self) -> dict[str, int]:
        return dict(self._samples_by_characteristic)

    @property
    def first_device_time(self) -> float | None:
        """The earliest device time of any recorded sample."""
        return self._first_device_time

    @property
    def last_device_time(self) -> float | None:
        """The latest device time of any recorded sample (a late backlog never lowers it)."""
        return self._last_device_time

    def recorded_seq_ranges(self, client_id: str) -> list[list[int]]:
        """The recorded sequence numbers of one client as [first, last] inclusive ranges."""
        return [list(seq_range) for seq_range in self._seq_ranges.get(client_id, [])]

    def has_sample(self, client_id: str, seq: int) -> bool:
        return seqranges.contains(self._seq_ranges.get(client_id, []), seq)

    @property
    def ride_time_s(self) -> float:
        """Seconds ridden: device time of the samples while running, pauses left out."""
        return self._ride_time_s

    @property
    def workout_command(self) -> tuple[str, float | None] | None:
        """The (kind, value) of the last command the session's workout issued."""
        if self._workout_command is None:
            return None
        kind, value = self._workout_command
        return str(kind), value

    @property
    def target_in_force(self) -> tuple[str, float | None, str] | None:
        """(kind, value, "workout" or "rider") of the last trainer setting issued."""
        if self._target_in_force is None:
            # Sessions stored before this was kept: the workout's last command, if any.
            workout_command = self.workout_command
            return None if workout_command is None else (*workout_command, "workout")
        kind, value, source = self._target_in_force
        return str(kind), value, str(source)

    @property
    def manual_target(self) -> tuple[str, float | None, int] | None:
        """The rider's (kind, value, step index) holding during a workout step, or None."""
        if self._manual_target is None:
            return None
        kind, value, step_index = self._manual_target
        return str(kind), value, int(step_index)

    @property
    def intensity_pct(self) -> int:
        """The workout's targets are ridden at this percent of themselves."""
        return self._intensity_pct

    @property
    def workout_control_version(self) -> int:
        """Grows with every manual target or intensity change (a follower re-syncs on it)."""
        return self._workout_control_version

    @property
    def lap_count(self) -> int:
        return self._lap_count

    @property
    def commands_issued(self) -> int:
        return self._commands_issued

    @property
    def commands_acknowledged(self) -> int:
        return self._commands_acknowledged

    @property
    def commands_failed(self) -> int:
        return self._commands_failed

    @property
    def pending_command_ids(self) -> frozenset[UUID]:
        return frozenset(UUID(key) for key in self._pending_commands)


# The event class `@event("SampleRecorded")` made (the library sets it; mypy cannot see it).
_SAMPLE_RECORDED: type[Any] = WorkoutSession.__dict__["SampleRecorded"]


def check_device_time(device_time: float, received_at: float) -> None:
    """A bridge sample's device time may be at most MAX_CLOCK_SKEW_S later than the
    server's clock when it was received (raises DeviceTimeOutOfRange)."""
    if not _is_number(received_at):
        raise InvalidSample(f"received_at must be a finite number, got {received_at!r}")
    if _is_number(device_time) and device_time > received_at + MAX_CLOCK_SKEW_S:
        raise DeviceTimeOutOfRange(
            f"device_time {device_time!r} is {device_time - received_at:.0f} s after the time"
            f" the sample was received ({received_at:.3f}); at most {MAX_CLOCK_SKEW_S:.0f} s"
            " of clock skew is allowed"
        )


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[int | float]:
    if type(value) is float:  # device times: several checks per sample, by exact type first
        return math.isfinite(value)
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_json(value: object) -> bool:
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list | tuple):
        return all(_is_json(item) for item in value)
    if isinstance(value, Mapping):
        return all(isinstance(key, str) and _is_json(item) for key, item in value.items())
    return False


def _check_client_id(client_id: object, error: type[Exception]) -> None:
    if not isinstance(client_id, str) or not 0 < len(client_id) <= MAX_CLIENT_ID_LENGTH:
        raise error(f"client_id must be a str of 1..{MAX_CLIENT_ID_LENGTH} characters")


def _check_transport(transport: object) -> None:
    if transport not in TRANSPORTS:
        raise InvalidSession(f"transport must be one of {sorted(TRANSPORTS)}, got {transport!r}")


def _checked_values(values: object) -> dict[str, SampleValue]:
    if not isinstance(values, Mapping):
        raise InvalidSample("values must be a mapping")
    plain: dict[str, SampleValue] = {}
    for key, value in values.items():
        kind = type(value)
        if not isinstance(key, str):
            raise InvalidSample(f"value names must be str, got {key!r}")
        if (kind is float and math.isfinite(value)) or kind is int or kind is bool:
            plain[key] = value  # the common cases, by exact type
        elif isinstance(value, bool) or _is_number(value):
            plain[key] = value
        elif isinstance(value, list | tuple) and all(_is_int(item) for item in value):
            plain[key] = list(value)
        else:
            raise InvalidSample(f"value {key!r} must be a finite number, bool or list of ints")
    return plain


def _checked_command_value(kind: object, value: object) -> float | None:
    if kind in VALUELESS_COMMANDS:
        if value is not None:
            raise InvalidCommand(f"{kind} takes no value, got {value!r}")
        return None
    if not isinstance(kind, str) or kind not in COMMAND_VALUE_LIMITS:
        known = sorted(VALUELESS_COMMANDS | COMMAND_VALUE_LIMITS.keys())
        raise InvalidCommand(f"kind must be one of {known}, got {kind!r}")
    low, high = COMMAND_VALUE_LIMITS[kind]
    if not _is_number(value) or not low <= value <= high:
        raise InvalidCommand(f"{kind} needs a number in {low:g}..{high:g}, got {value!r}")
    return float(value)


def _iso(timestamp: datetime | str | None) -> str | None:
    # Events decoded by a plain JSON transcoder may carry the timestamp as text.
    if timestamp is None or isinstance(timestamp, str):
        return timestamp
    return timestamp.isoformat()
