"""Typed errors raised by the domain model when a command is refused."""

from __future__ import annotations


class DomainError(Exception):
    """Base class of every error the domain model raises."""


class InvalidTransition(DomainError):
    """The command is not allowed in the aggregate's current state."""


class SessionNotActive(InvalidTransition):
    """The session is neither running nor paused."""


class SessionAlreadyEnded(SessionNotActive):
    """The session was finished or discarded; it accepts no new facts."""


class SessionAlreadyPaused(InvalidTransition):
    """pause() on a session that is already paused."""


class SessionNotPaused(InvalidTransition):
    """resume() on a session that is not paused."""


class InvalidSession(DomainError):
    """A session cannot be started or switched with these arguments."""


class InvalidSample(DomainError):
    """A sample's fields are malformed."""


class UnknownClient(InvalidSample):
    """A sample came from a client id that never took part in the session."""


class InvalidCommand(DomainError):
    """A trainer command or its acknowledgement is malformed."""


class NoWorkout(InvalidTransition):
    """The session rides no structured workout, so there is nothing to resume or scale."""


class InvalidProfile(DomainError):
    """An athlete profile value is out of range or malformed."""


class InvalidBridge(DomainError):
    """A bridge client registration or rename is malformed."""


class BridgeRevoked(InvalidTransition):
    """The bridge client has been revoked."""


class DeviceTimeOutOfRange(InvalidSample):
    """A sample's device time is later than the time it reached the server allows."""


class SampleOutsideSession(InvalidSample):
    """A sample's device time falls outside the session's span (it belongs to no ride here)."""
