"""Applies a batch of bridge envelopes to their sessions and appends the events of all of
them in one transaction (synchronous: runs in the worker's database thread).

Idempotence lives in the aggregate: a (client id, sequence number) already recorded is
ignored, so a redelivered message stores nothing twice. Sessions are cached between
batches; those of a batch that are not (after a restart or a shard's failover, every rider
at once) are routed and loaded together, in a few queries rather than a few per rider
(`RouteTable.get_many`, `WattlogStore.get_many`). When a save loses a race (another
process appended to one of the sessions, or an unclear commit was retried), every session
of the batch is reloaded (together, the same way) and the batch re-applied (the one
load-check-retry helper, adapters/services/conflicts.py).
A session with a structured workout then follows it (`domain/workout_follower.py`): its ERG
targets are issued as commands and saved with the samples that moved the ride clock.

Every sample is bounded at this boundary (`WorkoutSession.record_sample` with
``received_at``, this worker's clock): a device time too far in the future, or one that
falls in no session of its client, refuses its envelope (`EnvelopeRefused`, dead-lettered
with the reason). A sample that its client's running session does not take (none runs any
more, or its device time is outside it) goes to the session of that client whose span
contains it (`RouteTable.session_at`), as a late sample if that session has finished; the
session then announces its late samples (LateSamplesRecorded) so its figures are redone.
Samples of a discarded session are counted as `unrouted` and logged: the rider threw the
ride away.

The result names, for the live feed, every sample of the batch that a session holds now:
the ones just stored (with their notification ids) and the ones it already had (a
redelivery after a crash may be the first time they go live).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from adapters import live_message
from adapters.eventstore import WattlogStore
from adapters.ingest.routes import Route, RouteTable
from adapters.logs import correlation
from adapters.services.conflicts import retry_on_conflict
from domain.errors import DomainError, SampleOutsideSession, SessionAlreadyEnded
from domain.events import SampleRecorded
from domain.sessions import WorkoutSession, check_device_time
from domain.workout_follower import WorkoutFollower
from wire.envelope import Envelope, Sample

log = logging.getLogger(__name__)


class EnvelopeRefused(ValueError):
    """A well-formed envelope that its session refuses (a device time before 1970, say),
    or one with a sample that belongs to no session of its client."""


class _NotTaken(Exception):
    """The session tried first does not take the sample: look for the one that does."""


@dataclass
class WriteResult:
    stored: int = 0
    duplicates: int = 0
    unrouted: int = 0  # samples of a discarded session
    late: int = 0  # samples stored in a session after it finished
    acks: int = 0
    events: int = 0
    live: list[tuple[UUID, dict[str, Any]]] = field(default_factory=list)  # (owner, item)
    save_s: float = 0.0  # the append transaction's time, commit included


class SessionWriter:
    def __init__(
        self,
        store: WattlogStore,
        routes: RouteTable,
        cache_size: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._clock = clock
        self._found_elsewhere: dict[str, UUID] = {}  # client -> earlier session, this batch
        self._routes = routes
        self._cache: OrderedDict[UUID, WorkoutSession] = OrderedDict()
        self._cache_size = cache_size
        self._workouts = WorkoutFollower()

    def write(self, batch: list[Envelope]) -> WriteResult:
        """Stores the batch, or raises and stores none of it (`EnvelopeRefused` names the
        envelope a session refused; anything else is the database's or a bug's)."""
        routes = self._routes.get_many(envelope.client_id for envelope in batch)
        self._forget_sessions_with_acks(batch, routes)
        return retry_on_conflict(lambda: self._write_once(batch), what="batch")

    def _write_once(self, batch: list[Envelope]) -> WriteResult:
        touched = self._load_routed_sessions(batch)
        held: list[tuple[WorkoutSession, str, Sample]] = []  # samples a session already had
        result = WriteResult()
        received_at = self._clock()
        self._found_elsewhere.clear()
        try:
            for envelope in batch:
                with correlation(envelope.correlation_id):
                    self._apply(envelope, touched, held, result, received_at)
            late: dict[UUID, int] = {}
            for session in touched.values():
                if count := session.flush_late_samples():
                    late[session.id] = count
                self._workouts.follow(session)
            if touched:
                saving = time.monotonic()
                recordings = self._store.save(*touched.values())
                result.save_s = time.monotonic() - saving
                result.events = len(recordings)
                result.live = _live_items(recordings, touched, held, received_at)
        except BaseException:
            # The sessions hold events that were never stored (a lost race among them):
            # drop them from memory, so that a retry loads them afresh.
            self._forget(touched)
            raise
        self._remember(touched.values())
        for session_id, count in late.items():
            log.info(
                "late samples stored in their finished session",
                extra={"session_id": str(session_id), "samples": count},
            )
        result.late = sum(late.values())
        return result

    def _apply(
        self,
        envelope: Envelope,
        touched: dict[UUID, WorkoutSession],
        held: list[tuple[WorkoutSession, str, Sample]],
        result: WriteResult,
        received_at: float,
    ) -> None:
        route = self._routes.get(envelope.client_id)
        session = self._session_for(route, touched)
        if session is not None and not session.is_active and envelope.samples:
            # The route points at a session that has ended: the bridge may have a new one.
            route = self._routes.refresh(envelope.client_id)
            session = self._session_for(route, touched)
        if session is not None:
            for ack in envelope.acks:
                result.acks += session.acknowledge_command(ack.command_id, ack.result_code)
        for sample in envelope.samples:
            try:
                check_device_time(sample.device_time, received_at)
                try:
                    if session is None:
                        raise _NotTaken
                    taker = self._record(session, envelope.client_id, sample, received_at)
                except _NotTaken:
                    taker = self._record_elsewhere(
                        session, envelope.client_id, sample, touched, received_at
                    )
            except _NotTaken:
                result.unrouted += 1
                log.info(
                    "sample of a discarded session ignored",
                    extra={"client_id": envelope.client_id, "seq": sample.seq},
                )
                continue
            except DomainError as error:
                raise EnvelopeRefused(f"sample seq {sample.seq}: {error}") from error
            taken_by, recorded = taker
            if recorded:
                result.stored += 1
            else:
                result.duplicates += 1
                held.append((taken_by, envelope.client_id, sample))

    @staticmethod
    def _record(
        session: WorkoutSession, client_id: str, sample: Sample, received_at: float
    ) -> tuple[WorkoutSession, bool]:
        """The session that holds the sample now, and whether it was recorded just now."""
        try:
            return session, session.record_sample(
                client_id=client_id,
                seq=sample.seq,
                device_time=sample.device_time,
                sensor_id=sample.sensor_id,
                characteristic=sample.characteristic,
                raw=sample.raw,
                values=sample.values,
                received_at=received_at,
            )
        except (SampleOutsideSession, SessionAlreadyEnded) as error:
            raise _NotTaken from error

    def _record_elsewhere(
        self,
        tried: WorkoutSession | None,
        client_id: str,
        sample: Sample,
        touched: dict[UUID, WorkoutSession],
        received_at: float,
    ) -> tuple[WorkoutSession, bool]:
        """Records the sample in the session of its client that contains its device time;
        raises _NotTaken if that session was discarded, EnvelopeRefused if there is none."""
        # A backlog after a stall holds many samples of one earlier session: try the session
        # the previous such sample of this client went to before asking the database.
        cached = self._found_elsewhere.get(client_id)
        if cached is not None and (tried is None or cached != tried.id):
            try:
                return self._record(self._load(cached, touched), client_id, sample, received_at)
            except _NotTaken:
                pass  # not within that one
        session_id = self._routes.session_at(client_id, sample.device_time)
        if session_id is not None:
            session = (
                tried
                if tried is not None and tried.id == session_id
                else self._load(session_id, touched)
            )
            try:
                taker = self._record(session, client_id, sample, received_at)
            except _NotTaken:
                if session.status.value == "discarded":
                    raise  # the rider threw that ride away
            else:
                self._found_elsewhere[client_id] = session_id
                return taker
        raise EnvelopeRefused(
            f"sample seq {sample.seq}: no session for client {client_id!r}"
            f" at device time {sample.device_time!r}"
        )

    def _load_routed_sessions(self, batch: list[Envelope]) -> dict[UUID, WorkoutSession]:
        """The sessions the batch's clients are routed to that are not in memory, loaded
        together (after a restart or a shard's failover, every one of them)."""
        routes = self._routes.get_many(envelope.client_id for envelope in batch)
        missing = [
            route.session_id
            for route in routes.values()
            if route is not None and route.session_id not in self._cache
        ]
        return self._store.get_many(missing) if missing else {}

    def _session_for(
        self, route: Route | None, touched: dict[UUID, WorkoutSession]
    ) -> WorkoutSession | None:
        if route is None:
            return None
        return self._load(route.session_id, touched)

    def _load(self, session_id: UUID, touched: dict[UUID, WorkoutSession]) -> WorkoutSession:
        session = touched.get(session_id)
        if session is None:
            session = self._cache.pop(session_id, None) or self._store.repository.get(session_id)
            touched[session_id] = session
        return session

    def _forget_sessions_with_acks(
        self, batch: list[Envelope], routes: dict[str, Route | None]
    ) -> None:
        # A cached session does not know the commands the API issued since it was cached
        # (appending them makes no conflict for this worker to notice), so a session that
        # receives an acknowledgement is read afresh. Acknowledgements are rare.
        for envelope in batch:
            route = routes[envelope.client_id] if envelope.acks else None
            if route is not None:
                self._cache.pop(route.session_id, None)

    def _forget(self, sessions: dict[UUID, WorkoutSession]) -> None:
        for session_id in sessions:
            self._cache.pop(session_id, None)
            self._workouts.forget(session_id)

    def _remember(self, sessions: Iterable[WorkoutSession]) -> None:
        for session in sessions:
            if session.is_active:
                self._cache[session.id] = session
                self._cache.move_to_end(session.id)
            else:
                self._workouts.forget(session.id)
        while len(self._cache) > self._cache_size:
            evicted, _ = self._cache.popitem(last=False)
            self._workouts.forget(evicted)


def _live_items(
    recordings: Iterable[Any],
    sessions: dict[UUID, WorkoutSession],
    held: list[tuple[WorkoutSession, str, Sample]],
    received_at: float,
) -> list[tuple[UUID, dict[str, Any]]]:
    """(owner, live item) of every sample stored now or held already; other events go live
    through the relay."""
    items = [
        (
            sessions[recording.domain_event.originator_id].owner_id,
            live_message.item(recording.domain_event, recording.notification.id),
        )
        for recording in recordings
        if isinstance(recording.domain_event, SampleRecorded)
    ]
    for session, client_id, sample in held:
        item = live_message.sample_item(
            session.id,
            client_id,
            sample.seq,
            sample.device_time,
            sample.sensor_id,
            sample.characteristic,
            sample.values,
            received_at,
        )
        items.append((session.owner_id, item))
    return items
