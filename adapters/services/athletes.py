"""Use cases on athlete profiles: add a new one, read, change (any command method)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from uuid import UUID

from adapters.eventstore import WattlogStore
from adapters.services.conflicts import change, find, load
from domain.athletes import Athlete


class AthleteService:
    def __init__(self, store: WattlogStore) -> None:
        self._store = store

    def add(self, athlete: Athlete) -> Athlete:
        """Saves a profile just made by `Athlete.create` (and changed, if need be)."""
        self._store.save(athlete)
        return athlete

    def get(self, athlete_id: UUID) -> Athlete:
        """The profile of a known athlete (its id comes from the ownership index)."""
        return load(self._store, athlete_id, Athlete)

    def get_many(self, athlete_ids: Iterable[UUID]) -> list[Athlete]:
        return [self.get(athlete_id) for athlete_id in athlete_ids]

    def find(self, athlete_id: UUID) -> Athlete | None:
        """The profile, or None if there is no athlete with this id."""
        return find(self._store, athlete_id, Athlete)

    def change(self, athlete_id: UUID, decide: Callable[[Athlete], object]) -> Athlete:
        """Loads the profile, lets ``decide`` call its command methods, saves it (repeated
        on a fresh load if it lost a race). A domain error from ``decide`` saves nothing."""
        return change(self._store, athlete_id, Athlete, decide, what="athlete change")
