"""The application services change aggregates through one load-check-retry helper: a save
that loses the race to another writer is repeated on a fresh load, and gives up after
`MAX_ATTEMPTS` lost races with nothing saved."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from eventsourcing.persistence import IntegrityError

from adapters.eventstore import WattlogStore
from adapters.services.athletes import AthleteService
from adapters.services.bridges import BridgeService
from adapters.services.conflicts import MAX_ATTEMPTS
from adapters.settings import Settings
from domain.athletes import Athlete
from domain.bridges import BridgeClient
from domain.errors import InvalidProfile


@pytest.fixture
def other_writer(settings: Settings) -> Iterator[AthleteService]:
    """A second process's view of the same event store."""
    store = WattlogStore(settings)
    yield AthleteService(store)
    store.close()


def _athlete(athletes: AthleteService) -> Athlete:
    return athletes.add(
        Athlete.create(owner_id=uuid.uuid4(), name="Ada", ftp_w=250, weight_kg=70.0)
    )


def test_a_change_that_loses_the_race_is_repeated_on_the_fresh_profile(
    store: WattlogStore, other_writer: AthleteService
) -> None:
    athletes = AthleteService(store)
    athlete_id = _athlete(athletes).id
    calls = 0

    def rename(athlete: Athlete) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:  # another writer saves between our load and our save
            other_writer.change(athlete_id, lambda other: other.change_weight(64.5))
        athlete.rename("Ada L.")

    changed = athletes.change(athlete_id, rename)

    assert calls == 2
    stored = other_writer.get(athlete_id)
    assert (stored.name, stored.weight_kg) == ("Ada L.", 64.5)
    assert (changed.name, changed.weight_kg) == ("Ada L.", 64.5)


def test_a_change_that_keeps_losing_gives_up_with_nothing_of_it_saved(
    store: WattlogStore, other_writer: AthleteService
) -> None:
    athletes = AthleteService(store)
    athlete_id = _athlete(athletes).id
    calls = 0

    def rename(athlete: Athlete) -> None:
        nonlocal calls
        calls += 1
        other_writer.change(athlete_id, lambda other: other.change_weight(60.0 + calls))
        athlete.rename("never saved")

    with pytest.raises(IntegrityError):
        athletes.change(athlete_id, rename)

    assert calls == MAX_ATTEMPTS
    stored = other_writer.get(athlete_id)
    assert (stored.name, stored.weight_kg) == ("Ada", 60.0 + MAX_ATTEMPTS)


def test_a_refused_change_saves_nothing(store: WattlogStore) -> None:
    athletes = AthleteService(store)
    athlete_id = _athlete(athletes).id

    def change(athlete: Athlete) -> None:
        athlete.rename("Ada L.")
        athlete.change_ftp(-1, athlete.created_on.date())

    with pytest.raises(InvalidProfile):
        athletes.change(athlete_id, change)

    assert athletes.get(athlete_id).name == "Ada"
    assert len(list(store.events.get(athlete_id))) == 1


def test_an_unknown_athlete_is_not_found(store: WattlogStore) -> None:
    bridges = BridgeService(store)
    bridge = bridges.add(BridgeClient.register(owner_id=uuid.uuid4(), name="desk", kind="desktop"))

    assert AthleteService(store).find(uuid.uuid4()) is None
    assert AthleteService(store).find(bridge.id) is None


def test_revoking_a_bridge_twice_records_one_revocation(store: WattlogStore) -> None:
    bridges = BridgeService(store)
    bridge = bridges.add(BridgeClient.register(owner_id=uuid.uuid4(), name="desk", kind="desktop"))

    bridges.revoke(bridge.id, "lost")
    bridges.revoke(bridge.id, "lost again")

    events = list(store.events.get(bridge.id))
    assert [type(event).__name__ for event in events] == ["Registered", "Revoked"]
    assert bridges.get(bridge.id).revoke_reason == "lost"
