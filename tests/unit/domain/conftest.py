"""Fixtures shared by the domain aggregate tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.sessions import WorkoutSession

DESKTOP_CLIENT = "desktop-7f3a"

RecordSample = Callable[..., bool]


@pytest.fixture
def athlete_id() -> UUID:
    return uuid4()


@pytest.fixture
def owner_id() -> UUID:
    return uuid4()


@pytest.fixture
def unsaved_session(athlete_id: UUID, owner_id: UUID) -> WorkoutSession:
    """A running desktop session with its Started event still pending."""
    return WorkoutSession.start(
        athlete_id=athlete_id, owner_id=owner_id, client_id=DESKTOP_CLIENT, ftp_w=250
    )


@pytest.fixture
def session(unsaved_session: WorkoutSession) -> WorkoutSession:
    """A running desktop session whose Started event is already collected."""
    unsaved_session.collect_events()
    return unsaved_session


@pytest.fixture
def record() -> RecordSample:
    """Record one Indoor Bike Data notification (200 W, 90 rpm) with overridable fields."""

    def record_sample(
        session: WorkoutSession, seq: int, client_id: str = DESKTOP_CLIENT, **fields: Any
    ) -> bool:
        sample: dict[str, Any] = {
            "device_time": 1000.0 + seq * 0.25,
            "sensor_id": "kickr-core-1",
            "characteristic": "2ad2",
            "raw": bytes.fromhex("4400c409b400c800"),
            "values": {"power_w": 200, "cadence_rpm": 90},
        }
        sample.update(fields)
        return session.record_sample(client_id=client_id, seq=seq, **sample)

    return record_sample
