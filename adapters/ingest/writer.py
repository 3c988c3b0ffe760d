"""Applies a batch of bridge envelopes to their sessions and appends the events of all of
them in one transaction (synchronous: runs in the worker's database thread).

Idempotence lives in the aggregate: a (client id, sequence number) already recorded is
ignored, so a redelivered message stores nothing twice. Sessions are cached between
batches; when a save loses a race (another process appended to one of the sessions, or an
unclear commit was retried), every session of the batch is reloaded and the batch re-applied.
A session with a structured workout then follows it (`domain/workout_follower.py`): its ERG
targets are issued as commands and saved with the samples that moved the ride clock.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from adapters.eventstore import WattlogStore
from adapters.ingest.routes import Route, RouteTable
from adapters.logs import correlation
from bridge.protocol import Envelope
from domain.errors import DomainError, SessionAlreadyEnded
from domain.sessions import WorkoutSession
from domain.workout_follower import WorkoutFollower

log = logging.getLogger(__name__)

MAX_SAVE_ATTEMPTS = 5


class EnvelopeRefused(ValueError):
    """A well-formed envelope that its session refuses (a device time before 1970, say)."""


@dataclass
class WriteResult:
    stored: int = 0
    duplicates: int = 0
    unrouted: int = 0
    acks: int = 0
    events: int = 0


class SessionWriter:
    def __init__(self, store: WattlogStore, routes: RouteTable, cache_size: int = 10_000) -> None:
        self._store = store
        self._routes = routes
        self._cache: OrderedDict[UUID, WorkoutSession] = OrderedDict()
        self._cache_size = cache_size
        self._workouts = WorkoutFollower()

    def write(self, batch: list[Envelope]) -> WriteResult:
        """Stores the batch, or raises and stores none of it (`EnvelopeRefused` names the
        envelope a session refused; anything else is the database's or a bug's)."""
        self._forget_sessions_with_acks(batch)
        attempts = 0
        while True:
            touched: dict[UUID, WorkoutSession] = {}
            result = WriteResult()
            try:
                for envelope in batch:
                    with correlation(envelope.correlation_id):
                        self._apply(envelope, touched, result)
                for session in touched.values():
                    self._workouts.follow(session)
                if touched:
                    result.events = len(self._store.save(*touched.values()))
            except IntegrityError:
                self._forget(touched)
                attempts += 1
                if attempts == MAX_SAVE_ATTEMPTS:
                    raise
                log.info("batch lost a race, re-applying", extra={"attempt": attempts})
                continue
            except BaseException:
                # The sessions hold events that were never stored: drop them from memory.
                self._forget(touched)
                raise
            self._remember(touched.values())
            return result

    def _apply(
        self, envelope: Envelope, touched: dict[UUID, WorkoutSession], result: WriteResult
    ) -> None:
        route = self._routes.get(envelope.client_id)
        session = self._session_for(route, touched)
        if session is not None and not session.is_active and envelope.samples:
            # The route points at a session that has ended: the bridge may have a new one.
            route = self._routes.refresh(envelope.client_id)
            session = self._session_for(route, touched)
        if session is None:
            result.unrouted += len(envelope.samples)
            log.debug("no running session for the bridge", extra={"client_id": envelope.client_id})
            return
        for ack in envelope.acks:
            result.acks += session.acknowledge_command(ack.command_id, ack.result_code)
        for sample in envelope.samples:
            try:
                recorded = session.record_sample(
                    client_id=envelope.client_id,
                    seq=sample.seq,
                    device_time=sample.device_time,
                    sensor_id=sample.sensor_id,
                    characteristic=sample.characteristic,
                    raw=sample.raw,
                    values=sample.values,
                )
            except SessionAlreadyEnded:
                result.unrouted += 1
                continue
            except DomainError as error:
                raise EnvelopeRefused(f"sample seq {sample.seq}: {error}") from error
            if recorded:
                result.stored += 1
            else:
                result.duplicates += 1

    def _session_for(
        self, route: Route | None, touched: dict[UUID, WorkoutSession]
    ) -> WorkoutSession | None:
        if route is None:
            return None
        session = touched.get(route.session_id)
        if session is None:
            session = self._cache.pop(route.session_id, None) or self._store.repository.get(
                route.session_id
            )
            touched[route.session_id] = session
        return session

    def _forget_sessions_with_acks(self, batch: list[Envelope]) -> None:
        # A cached session does not know the commands the API issued since it was cached
        # (appending them makes no conflict for this worker to notice), so a session that
        # receives an acknowledgement is read afresh. Acknowledgements are rare.
        for envelope in batch:
            route = self._routes.get(envelope.client_id) if envelope.acks else None
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
