"""An imported ride starts at its first record and ends at its last, not at import time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import pytest

from domain.errors import InvalidSession
from domain.sessions import WorkoutSession

FIRST_RECORD = datetime(2011, 11, 2, 12, 54, 19, tzinfo=UTC)


def imported(athlete_id: UUID, owner_id: UUID, seconds: int) -> WorkoutSession:
    session = WorkoutSession.start(
        athlete_id, owner_id, "import-1", 250, transport="import", started_at=FIRST_RECORD
    )
    t0 = FIRST_RECORD.timestamp()
    for second in range(seconds):
        session.record_sample(
            "import-1", second, t0 + second, "fit", "fit_record", b"", {"power_w": 200},
            imported=True,
        )  # fmt: skip
    return session


def test_an_imported_ride_starts_at_its_first_record_and_ends_at_its_last(
    athlete_id: UUID, owner_id: UUID
) -> None:
    session = imported(athlete_id, owner_id, 600)
    session.finish()

    events = session.collect_events()
    assert session.started_at == events[0].timestamp == FIRST_RECORD
    assert session.ended_at == events[-1].timestamp == FIRST_RECORD + timedelta(seconds=599)


def test_a_replayed_imported_ride_keeps_its_times(athlete_id: UUID, owner_id: UUID) -> None:
    session = imported(athlete_id, owner_id, 60)
    session.finish()

    replayed = None
    for event in session.collect_events():
        replayed = event.mutate(replayed)

    assert isinstance(replayed, WorkoutSession)
    assert (replayed.started_at, replayed.ended_at) == (session.started_at, session.ended_at)


def test_a_start_time_in_another_offset_is_kept_as_the_same_moment(
    athlete_id: UUID, owner_id: UUID
) -> None:
    sydney = FIRST_RECORD.astimezone(timezone(timedelta(hours=11)))

    session = WorkoutSession.start(
        athlete_id, owner_id, "import-1", 250, transport="import", started_at=sydney
    )

    assert session.started_at == FIRST_RECORD


@pytest.mark.parametrize(
    ("transport", "started_at"),
    [
        ("desktop", FIRST_RECORD),  # a live ride starts now
        ("phone", FIRST_RECORD),
        ("import", datetime(2011, 11, 2, 12, 54, 19)),  # no offset: which moment?
        ("import", "2011-11-02T12:54:19+00:00"),
    ],
)
def test_a_start_time_only_an_import_may_give_and_only_aware(
    athlete_id: UUID, owner_id: UUID, transport: str, started_at: object
) -> None:
    with pytest.raises(InvalidSession, match="started_at"):
        WorkoutSession.start(
            athlete_id, owner_id, "c-1", 250, transport=transport,
            started_at=started_at,  # type: ignore[arg-type]
        )  # fmt: skip
