"""The samples projector: SampleRecorded events -> 1 Hz `samples` rows (+ plain rollups).

Per batch and per session: the batch's readings are binned by second and merged with the
bins already stored for the session (`sample_bins`, the durable per-second readings of a
session, kept after the finish so that a late sample is merged exactly); the rows the batch
can change (``projections.samples.window``) are recomputed from the merged bins, compared
with the stored rows, and only the rows that differ are written.
Bins, rows, the session's state, the rollups and the tracking position all commit in one
transaction, so a crash anywhere leaves either all of a batch or none of it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from uuid import UUID

import psycopg

from domain import events as domain_events
from domain.metrics.power import NP_WINDOW_S
from domain.metrics.resample import DEFAULT_GAP_POLICY, GapPolicy
from projections.base import LoggedEvent, ProjectionError, UnprojectableEvent, topics_of
from projections.samples import events as sample_events
from projections.samples import refresh, rollups, storage
from projections.samples.partitions import MonthlyPartitions, check_device_time
from projections.samples.readings import Bin
from projections.samples.storage import ROLLING, ROW_COLUMNS, RR, Row, SessionState
from projections.samples.window import Window, dirty_window, rolling_power, rows_for_window

PREVIOUS_POWERS = NP_WINDOW_S - 1


@dataclass
class _SessionBatch:
    started: Any = None
    ended: str | None = None
    imported: bool = False
    bins: dict[int, Bin] = field(default_factory=dict)


@dataclass
class _Layout:
    partitioned: bool  # plain PostgreSQL: monthly partitions to manage
    rollup_tables: bool  # plain PostgreSQL: rollups maintained here


@dataclass
class _Changes:
    rows: list[tuple[SessionState, int, Row]] = field(default_factory=list)
    deleted: list[tuple[UUID, int]] = field(default_factory=list)
    rolling: list[tuple[UUID, int, float | None]] = field(default_factory=list)
    bins: list[tuple[UUID, int, Bin]] = field(default_factory=list)
    minutes: set[tuple[UUID, int]] = field(default_factory=set)
    days: set[tuple[UUID, Any]] = field(default_factory=set)
    span: tuple[int, int] | None = None  # first and last second changed (TimescaleDB)

    def touch(self, state: SessionState, second: int) -> None:
        self.minutes.add((state.session_id, rollups.minute_of(second)))
        self.days.add((state.athlete_id, rollups.day_of(second)))
        self.cover(second, second)

    def cover(self, first: int, last: int) -> None:
        if self.span is not None:
            first, last = min(first, self.span[0]), max(last, self.span[1])
        self.span = (first, last)


class SamplesProjection:
    name = "samples"
    topics = topics_of(
        domain_events.SessionStarted,
        domain_events.SampleRecorded,
        domain_events.SessionFinished,
        domain_events.SessionDiscarded,
    )
    depends_on: str | None = None
    decode = staticmethod(sample_events.decode)

    def __init__(self, gap_policy: GapPolicy = DEFAULT_GAP_POLICY) -> None:
        self._policy = gap_policy
        self._partitions = MonthlyPartitions()
        self._layout: _Layout | None = None

    def reset(self) -> None:
        self._partitions.reset()
        self._layout = None

    def prepare(self, conn: psycopg.Connection[Any], events: Sequence[LoggedEvent]) -> None:
        if not self._layout_of(conn).partitioned:
            return
        self._partitions.ensure_ahead(conn)
        seconds = set()
        for logged in events:
            if logged.is_a(domain_events.SampleRecorded):
                check_device_time(logged.event.device_time)
                seconds.add(math.floor(logged.event.device_time))
        self._partitions.ensure_seconds(conn, seconds)

    def apply(self, conn: psycopg.Connection[Any], events: Sequence[LoggedEvent]) -> None:
        batches = _group(events)
        states = storage.load_states(conn, [sid for sid, b in batches.items() if b.started is None])
        for sid, batch in batches.items():
            if batch.started is not None:
                event = batch.started
                states[sid] = SessionState(
                    session_id=sid,
                    athlete_id=event.athlete_id,
                    ftp_w=event.ftp_w,
                    status="running",
                )
        batches = {sid: b for sid, b in batches.items() if sid in states}
        self._refuse_samples_without_bins(conn, batches, states)
        changes = _Changes()
        discarded = [sid for sid, b in batches.items() if b.ended == "discarded"]
        self._discard(conn, [states[sid] for sid in discarded], changes)
        live = {sid: b for sid, b in batches.items() if b.bins and b.ended != "discarded"}
        self._resample(conn, {sid: states[sid] for sid in live}, live, changes)
        ended = [sid for sid, b in batches.items() if b.ended is not None]
        for sid in ended:
            states[sid].status = batches[sid].ended or "finished"
        # A finished session keeps its bins: a late sample (docs/domain.md) merges with them.
        storage.delete_rows(conn, changes.deleted)
        storage.upsert_rows(conn, changes.rows)
        storage.update_rolling(conn, changes.rolling)
        storage.save_bins(conn, changes.bins)
        storage.save_states(conn, [states[sid] for sid in batches])
        if self._layout_of(conn).rollup_tables:
            rollups.delete_session_minutes(conn, discarded)
            rollups.recompute_minutes(conn, changes.minutes)
            rollups.recompute_days(conn, changes.days)
        elif changes.span is not None:
            refresh.request_if_old(conn, *changes.span)

    def settle(self, conn: psycopg.Connection[Any]) -> None:
        """After a commit (autocommit connection): TimescaleDB's explicit rollup refreshes."""
        if not self._layout_of(conn).rollup_tables:
            refresh.settle(conn)

    def _refuse_samples_without_bins(
        self,
        conn: psycopg.Connection[Any],
        batches: dict[UUID, _SessionBatch],
        states: dict[UUID, SessionState],
    ) -> None:
        """A late sample of a finished session merges with the bins it kept; a discarded
        session has none, nor has a session that finished before bins were kept after the
        finish: merging would recompute its rows from this sample alone."""
        ended = [
            sid
            for sid, batch in batches.items()
            if batch.bins and batch.started is None and states[sid].status != "running"
        ]
        with_bins = storage.sessions_with_bins(conn, ended)
        for sid in ended:
            if states[sid].status == "discarded" or sid not in with_bins:
                raise UnprojectableEvent(
                    f"session {sid} is {states[sid].status} and keeps no per-second readings:"
                    " a sample after its end cannot be merged into its rows (rebuild the"
                    " samples projection to include it)"
                )

    def _discard(
        self, conn: psycopg.Connection[Any], states: list[SessionState], changes: _Changes
    ) -> None:
        for state in states:
            if state.first_second is not None and state.last_second is not None:
                changes.cover(state.first_second, state.last_second)
                day = rollups.day_of(state.first_second)
                while day <= rollups.day_of(state.last_second):
                    changes.days.add((state.athlete_id, day))
                    day += timedelta(days=1)
            state.first_second = state.last_second = None
        storage.delete_session_rows(conn, [s.session_id for s in states])
        storage.delete_bins(conn, [s.session_id for s in states])

    def _resample(
        self,
        conn: psycopg.Connection[Any],
        states: dict[UUID, SessionState],
        batches: dict[UUID, _SessionBatch],
        changes: _Changes,
    ) -> None:
        windows: dict[UUID, Window] = {}
        for sid, batch in batches.items():
            state = states[sid]
            lo, hi = min(batch.bins), max(batch.bins)
            power_appears = not state.has_power and any(
                "power_w" in b.sums for b in batch.bins.values()
            )
            windows[sid] = dirty_window(
                lo, hi, self._policy.max_fill_s, state.first_second if power_appears else None
            )
            state.has_power = state.has_power or power_appears
            state.imported = state.imported or batch.imported
        stored = [sid for sid in batches if states[sid].first_second is not None]
        old_bins = storage.load_bins(conn, [(sid, *windows[sid].context) for sid in stored])
        old_rows = storage.load_rows(
            conn, [(sid, windows[sid].lo, windows[sid].hi) for sid in stored]
        )
        before = storage.load_powers_before(
            conn, [(sid, windows[sid].lo) for sid in stored], PREVIOUS_POWERS
        )
        after = storage.load_powers_after(
            conn, [(sid, windows[sid].hi) for sid in stored], PREVIOUS_POWERS
        )
        for sid, batch in batches.items():
            state = states[sid]
            merged = old_bins.get(sid, {})
            for second, new_bin in batch.bins.items():
                merged.setdefault(second, Bin()).merge(new_bin)
                changes.bins.append((sid, second, merged[second]))
            state.widen(min(batch.bins), max(batch.bins))
            window = windows[sid]
            rows = rows_for_window(merged, window, has_power=state.has_power, policy=self._policy)
            stored_rows = old_rows.get(sid, {})
            self._diff(state, window, rows, merged, stored_rows, changes)
            self._roll(state, rows, stored_rows, before.get(sid, []), after.get(sid, []), changes)

    @staticmethod
    def _diff(
        state: SessionState,
        window: Window,
        rows: dict[int, Row],
        bins: dict[int, Bin],
        old_rows: dict[int, Row],
        changes: _Changes,
    ) -> None:
        """Attaches RR intervals; rows stored in the window but no longer recorded go."""
        for second, row in rows.items():
            rr = bins[second].rr_ms if second in bins else []
            row[RR] = tuple(rr) if rr else None
        for second in sorted(set(old_rows) - set(rows)):
            if window.lo <= second <= window.hi:
                changes.deleted.append((state.session_id, second))
                changes.touch(state, second)

    @staticmethod
    def _roll(
        state: SessionState,
        rows: dict[int, Row],
        old_rows: dict[int, Row],
        before: list[float],
        after: list[tuple[int, float, float | None]],
        changes: _Changes,
    ) -> None:
        """Rolling power for the window and the rows just after it; keeps what changed."""
        ordered = sorted(rows)
        powers = [rows[s]["power_w"] for s in ordered]
        for second, value in zip(ordered, rolling_power(before, powers), strict=True):
            row = rows[second]
            row[ROLLING] = value
            old = old_rows.get(second)
            if old is None or not _same_row(old, row):
                changes.rows.append((state, second, row))
                changes.touch(state, second)
        valued = [p for p in powers if p is not None]
        tail = [*before, *valued][-PREVIOUS_POWERS:]
        following = rolling_power(tail, [power for _, power, _ in after])
        for (second, _, old_rolling), value in zip(after, following, strict=True):
            if not _close(old_rolling, value):
                changes.rolling.append((state.session_id, second, value))
                changes.touch(state, second)

    def _layout_of(self, conn: psycopg.Connection[Any]) -> _Layout:
        if self._layout is None:
            row = conn.execute(
                "SELECT (SELECT relkind FROM pg_class WHERE oid = to_regclass('samples')),"
                " (SELECT relkind FROM pg_class WHERE oid = to_regclass('minute_rollups'))"
            ).fetchone()
            samples_kind, rollups_kind = row or (None, None)
            if samples_kind is None:
                raise ProjectionError("table samples is missing: run `wattlog migrate`")
            self._layout = _Layout(
                partitioned=samples_kind == "p", rollup_tables=rollups_kind == "r"
            )
        return self._layout


def _group(events: Sequence[LoggedEvent]) -> dict[UUID, _SessionBatch]:
    batches: dict[UUID, _SessionBatch] = {}
    for logged in events:
        event = logged.event
        batch = batches.setdefault(event.originator_id, _SessionBatch())
        if logged.is_a(domain_events.SampleRecorded):
            check_device_time(event.device_time)
            second = math.floor(event.device_time)
            bin_ = batch.bins.setdefault(second, Bin())
            bin_.add_reading(event.device_time, event.values)
            batch.imported = batch.imported or event.imported
        elif logged.is_a(domain_events.SessionStarted):
            batch.started = event
        elif logged.is_a(domain_events.SessionFinished):
            batch.ended = "finished"
        elif logged.is_a(domain_events.SessionDiscarded):
            batch.ended = "discarded"
    for batch in batches.values():
        batch.bins = {s: b for s, b in batch.bins.items() if b.has_values or b.rr_ms}
    return batches


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-3)


def _same_row(old: Row, new: Row) -> bool:
    if not all(_close(old[c], new[c]) for c in ROW_COLUMNS):
        return False
    old_rr, new_rr = old.get(RR) or (), new.get(RR) or ()
    return len(old_rr) == len(new_rr) and all(
        _close(a, b) for a, b in zip(old_rr, new_rr, strict=True)
    )
