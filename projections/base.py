"""What a projection provides to the runner that feeds it the notification log."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, NamedTuple, Protocol

import psycopg
from eventsourcing.persistence import Mapper, Notification
from eventsourcing.utils import get_topic


@cache
def topic_of(event_class: type) -> str:
    """The stored topic of an event class (domain/events.py)."""
    return get_topic(event_class)


def topics_of(*event_classes: type) -> tuple[str, ...]:
    """The stored topics of these event classes, for `Projection.topics`."""
    return tuple(topic_of(event_class) for event_class in event_classes)


class ProjectionError(RuntimeError):
    """A projection cannot go on (its tables are missing or do not match the code)."""


class UnprojectableEvent(ValueError):
    """This event cannot be projected (its data, not the database): it is set aside."""


class LoggedEvent(NamedTuple):
    """A domain event with its position in the notification log."""

    notification_id: int
    topic: str
    event: Any

    @property
    def kind(self) -> str:
        return self.topic.rsplit(".", 1)[-1]

    def is_a(self, event_class: type) -> bool:
        """Whether the event is of this class (domain/events.py), by its stored topic."""
        return self.topic == topic_of(event_class)


class Projection(Protocol):
    name: str
    # Topics the projection reads; the runner asks the database for these only.
    topics: tuple[str, ...]
    # Another projection whose position this one must never pass (it reads its tables).
    depends_on: str | None

    def decode(
        self, mapper: Mapper[Any], notifications: Sequence[Notification]
    ) -> list[LoggedEvent]:
        """The batch's notifications as events (``decode_events`` unless it can do better)."""

    def prepare(self, conn: psycopg.Connection[Any], events: Sequence[LoggedEvent]) -> None:
        """Runs before the batch transaction, in its own short transactions (e.g. DDL)."""

    def apply(self, conn: psycopg.Connection[Any], events: Sequence[LoggedEvent]) -> None:
        """Writes the batch's rows inside the open transaction (never commits)."""

    def reset(self) -> None:
        """Forgets everything cached about the tables (after a failure or a rebuild swap)."""


def decode_events(mapper: Mapper[Any], notifications: Sequence[Notification]) -> list[LoggedEvent]:
    """Full domain events, through the application's mapper."""
    return [LoggedEvent(n.id, n.topic, mapper.to_domain_event(n)) for n in notifications]
