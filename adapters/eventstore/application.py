"""The `eventsourcing` application that holds every wattlog aggregate.

Tables: `wattlog_events` (the notification log), `wattlog_snapshots`. They are created once
by `wattlog migrate`; worker processes run with CREATE_TABLE=n, because several processes
creating them at the same time fail with "tuple concurrently updated".
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any, ClassVar, cast
from urllib.parse import unquote, urlsplit
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper, Recording, Transcoder
from eventsourcing.postgres import PostgresAggregateRecorder
from psycopg.sql import Identifier

from adapters.eventstore import reads
from adapters.eventstore.mapper import WattlogMapper
from adapters.eventstore.recorder import WattlogRecorder
from adapters.eventstore.transcoder import OrjsonTranscoder
from adapters.postgres.pools import guard_pool
from adapters.settings import Settings
from domain.sessions import WorkoutSession

# Aggregates rebuilt per pair of queries in `get_many`. A session read mid-ride brings up
# to an interval of events after its snapshot (a few hundred bytes each): 250 of them are
# tens of megabytes at worst, held at once.
LOAD_CHUNK = 250


def store_env(settings: Settings, *, create_table: bool = False) -> dict[str, str]:
    url = urlsplit(settings.database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "APPLICATION_RECORDER_TOPIC": "adapters.eventstore.recorder:WattlogRecorder",
        "POSTGRES_DBNAME": url.path.lstrip("/"),
        "POSTGRES_HOST": url.hostname or "localhost",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_POOL_SIZE": str(settings.db_pool_size),
        "POSTGRES_MAX_OVERFLOW": str(settings.db_pool_size),
        # The library's default of 0 waits forever for the table lock.
        "POSTGRES_LOCK_TIMEOUT": "10",
        "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "10",
        "POSTGRES_PRE_PING": "y",
        "CREATE_TABLE": "y" if create_table else "n",
        "IS_SNAPSHOTTING_ENABLED": "y",
    }


class WattlogStore(Application[Any]):
    name = "wattlog"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {}

    def __init__(self, settings: Settings, *, create_table: bool = False) -> None:
        # The interval is a setting, chosen by measurement (docs/eventstore.md).
        self.snapshotting_intervals = {WorkoutSession: settings.snapshot_interval}  # type: ignore[misc]
        super().__init__(env=store_env(settings, create_table=create_table))
        # A PostgreSQL restart must not stall every caller behind the pool's dead
        # connections (adapters/postgres/pools.py).
        guard_pool(self.database_pool, "event_store")

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[Any]]:
        # The library's save(), collecting with _AggregatesProcessingEvent.
        processing_event: ProcessingEvent[Any] = _AggregatesProcessingEvent()
        processing_event.collect_events(*objs, **kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return recordings

    def get_many(self, aggregate_ids: Iterable[UUID]) -> dict[UUID, Any]:
        """The aggregates, by id, each rebuilt as `repository.get` rebuilds it (its latest
        snapshot, then the events after it), in two queries per `LOAD_CHUNK` of them.
        Raises `AggregateNotFoundError` if one has no events. (The store keeps no aggregate
        cache for `repository.get` to consult.)"""
        ids = list(dict.fromkeys(aggregate_ids))
        loaded: dict[UUID, Any] = {}
        for start in range(0, len(ids), LOAD_CHUNK):
            loaded.update(self._get_chunk(ids[start : start + LOAD_CHUNK]))
        return loaded

    def _get_chunk(self, ids: list[UUID]) -> dict[UUID, Any]:
        snapshots = self._latest_snapshots(ids)
        after = {i: snapshots[i].originator_version if i in snapshots else None for i in ids}
        events = reads.select_after(_postgres(self.recorder), after)
        loaded: dict[UUID, Any] = {}
        for aggregate_id in ids:
            snapshot = snapshots.get(aggregate_id)
            aggregate = _project(
                chain(
                    () if snapshot is None else (snapshot,),
                    map(self.events.mapper.to_domain_event, events.get(aggregate_id, ())),
                )
            )
            if aggregate is None:
                raise AggregateNotFoundError(f"Aggregate {aggregate_id!r} not found.")
            loaded[aggregate_id] = aggregate
        return loaded

    def _latest_snapshots(self, ids: list[UUID]) -> dict[UUID, Any]:
        if self.snapshots is None:
            return {}
        stored = reads.select_latest(_postgres(self.snapshots.recorder), ids)
        return {i: self.snapshots.mapper.to_domain_event(s) for i, s in stored.items()}

    def _take_snapshots(self, processing_event: ProcessingEvent[Any]) -> None:
        # The library reloads an aggregate from the database to snapshot it. Our writers
        # hold the aggregate they just saved, so its state is snapshotted as it is: that
        # makes a snapshot cost one small insert, and a short interval affordable.
        due: list[Any] = []
        for event in processing_event.events:
            aggregate = processing_event.aggregates.get(event.originator_id)
            interval = self.snapshotting_intervals.get(type(aggregate))
            if interval and event.originator_version % interval == 0 and aggregate not in due:
                due.append(aggregate)
        if due and self.snapshots is not None:
            self.snapshots.put([type(aggregate).Snapshot.take(aggregate) for aggregate in due])

    def construct_mapper(self) -> Mapper[Any]:
        library = super().construct_mapper()
        return WattlogMapper(library.transcoder, library.compressor, library.cipher)

    def construct_transcoder(self) -> Transcoder:
        return OrjsonTranscoder()

    @property
    def database_pool(self) -> Any:
        """The library's connection pool (a psycopg_pool ConnectionPool)."""
        return cast(WattlogRecorder, self.recorder).datastore.pool

    @property
    def events_table(self) -> Identifier:
        """The notification log's table, schema-qualified, for SQL the library does not
        offer (the relay's read that skips samples)."""
        recorder = cast(WattlogRecorder, self.recorder)
        return Identifier(recorder.datastore.schema, recorder.events_table_name)

    @property
    def notify_channel(self) -> str:
        """The channel the recorder NOTIFYs in every transaction that appends events."""
        return cast(WattlogRecorder, self.recorder).channel_name


def _project(domain_events: Iterable[Any]) -> Any:
    """The library's `project_aggregate` from nothing, without its check of every event
    against a runtime-checkable Protocol: about 30 us each, 40 % of the CPU of loading
    sessions mid-ride."""
    aggregate = None
    for domain_event in domain_events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


def _postgres(recorder: object) -> PostgresAggregateRecorder:
    return cast(PostgresAggregateRecorder, recorder)


class _AggregatesProcessingEvent(ProcessingEvent[Any]):
    """Collects the events of our aggregates without the library's `isinstance` checks
    against runtime-checkable Protocols, which cost about 15 us per aggregate: the ingest
    worker saves hundreds of sessions per batch with a couple of events each."""

    def collect_events(self, *objs: Any, **kwargs: Any) -> None:
        others = []
        for obj in objs:
            if isinstance(obj, Aggregate):
                pending = obj.pending_events
                self.events.extend(pending)
                pending.clear()
                self.aggregates[obj.id] = obj
            elif obj is not None:
                others.append(obj)
        super().collect_events(*others, **kwargs)
