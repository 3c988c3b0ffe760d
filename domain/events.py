"""The aggregates' event classes, importable by name.

`@event("SampleRecorded")` makes the class `WorkoutSession.SampleRecorded` when the aggregate
class is created; its topic (what the event store keeps, what projectors and the relay select
on) is `eventsourcing.utils.get_topic(SampleRecorded)`, i.e. "domain.sessions:WorkoutSession.
SampleRecorded". Consumers import the classes from here instead of spelling names or topics;
renaming an event without its consumers fails at import, not silently at run time.

The library builds these classes from the decorated methods' signatures, which mypy cannot
see; the events whose fields other processes read are typed here by a Protocol that repeats
those fields (so `isinstance(event, SampleRecorded)` gives a typed event).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.athletes import Athlete
from domain.bridges import BridgeClient
from domain.sessions import SampleValue, WorkoutSession


class StoredEvent(Protocol):
    @property
    def originator_id(self) -> UUID: ...
    @property
    def originator_version(self) -> int: ...
    @property
    def timestamp(self) -> datetime: ...


class SessionStartedEvent(StoredEvent, Protocol):
    @property
    def athlete_id(self) -> UUID: ...
    @property
    def owner_id(self) -> UUID: ...
    @property
    def client_id(self) -> str: ...
    @property
    def ftp_w(self) -> int: ...
    @property
    def transport(self) -> str: ...
    @property
    def workout(self) -> dict[str, Any] | None: ...


class SampleRecordedEvent(StoredEvent, Protocol):
    # `imported` is absent from events stored before it existed: read it with getattr.
    @property
    def client_id(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def device_time(self) -> float: ...
    @property
    def sensor_id(self) -> str: ...
    @property
    def characteristic(self) -> str: ...
    @property
    def raw(self) -> bytes: ...
    @property
    def values(self) -> dict[str, SampleValue]: ...


class CommandIssuedEvent(StoredEvent, Protocol):
    @property
    def command_id(self) -> UUID: ...
    @property
    def kind(self) -> str: ...
    @property
    def value(self) -> float | None: ...
    @property
    def issued_by(self) -> UUID: ...
    @property
    def client_id(self) -> str: ...


def _made(aggregate: type[Aggregate], name: str) -> Any:
    # The library sets the class on the aggregate at class creation (mypy cannot see it).
    made = aggregate.__dict__[name]
    if not (isinstance(made, type) and issubclass(made, aggregate.Event)):
        raise TypeError(f"{aggregate.__name__}.{name} is not one of its event classes")
    return made


SessionStarted: type[SessionStartedEvent] = _made(WorkoutSession, "Started")
SampleRecorded: type[SampleRecordedEvent] = _made(WorkoutSession, "SampleRecorded")
LateSamplesRecorded: type[Aggregate.Event] = _made(WorkoutSession, "LateSamplesRecorded")
CommandIssued: type[CommandIssuedEvent] = _made(WorkoutSession, "CommandIssued")
CommandAcknowledged: type[Aggregate.Event] = _made(WorkoutSession, "CommandAcknowledged")
CommandFailed: type[Aggregate.Event] = _made(WorkoutSession, "CommandFailed")
LapMarked: type[Aggregate.Event] = _made(WorkoutSession, "LapMarked")
RecordingDescribed: type[Aggregate.Event] = _made(WorkoutSession, "RecordingDescribed")
SessionPaused: type[Aggregate.Event] = _made(WorkoutSession, "Paused")
SessionResumed: type[Aggregate.Event] = _made(WorkoutSession, "Resumed")
TransportSwitched: type[Aggregate.Event] = _made(WorkoutSession, "TransportSwitched")
SessionFinished: type[Aggregate.Event] = _made(WorkoutSession, "Finished")
SessionDiscarded: type[Aggregate.Event] = _made(WorkoutSession, "Discarded")

AthleteCreated: type[Aggregate.Event] = _made(Athlete, "Created")
AthleteThresholdsChanged: type[Aggregate.Event] = _made(Athlete, "ThresholdsChanged")
AthletePowerThresholdsChanged: type[Aggregate.Event] = _made(Athlete, "PowerThresholdsChanged")
AthleteZonesChanged: type[Aggregate.Event] = _made(Athlete, "ZonesChanged")
AthleteTimeZoneChanged: type[Aggregate.Event] = _made(Athlete, "TimeZoneChanged")

BridgeRegistered: type[Aggregate.Event] = _made(BridgeClient, "Registered")
BridgeRevoked: type[Aggregate.Event] = _made(BridgeClient, "Revoked")
