"""The summaries projector: one `session_summaries` row per session, and fitness by day.

Started creates the row (status running); Finished computes the summary from the session's
1 Hz rows in `samples` with `domain.metrics.summarize_ride`; Discarded clears it. It depends
on the samples projection: the runner never lets it pass the samples projector's position,
so when it meets a Finished event, every sample of that session is already in `samples`.
LateSamplesRecorded (samples stored after the finish, docs/domain.md) computes a finished
session's summary again from its rows, which by then hold the late samples too, and the
athlete's fitness from that day on. PowerThresholdsChanged (an athlete's CP and W' from a
day on) is kept in `athlete_power_thresholds` and recomputes that athlete's finished rides
from that day (their TSS does not depend on CP, so fitness stays as it is). Likewise
ThresholdsChanged (max and threshold HR from a day on, `athlete_hr_thresholds`: heart-rate
zones) and ZonesChanged (the rider's own power zones, `athlete_power_zones`, no history: every
finished ride of the athlete).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
from psycopg.types.json import Jsonb

from domain import events as domain_events
from domain.athletes import Athlete
from domain.metrics.summary import summarize_ride
from projections.base import LoggedEvent, ProjectionError, decode_events, topics_of
from projections.summaries.fitness import recompute_fitness
from projections.summaries.ride import ride_from_rows, summary_columns

_JSON_COLUMNS = frozenset({"time_in_power_zones", "time_in_hr_zones", "power_curve_w"})
_METRIC_COLUMNS: tuple[str, ...] = (
    "duration_s", "moving_time_s", "distance_m", "avg_power_w", "max_power_w",
    "normalized_power_w", "intensity_factor", "tss", "variability_index", "work_kj",
    "avg_hr_bpm", "max_hr_bpm", "avg_cadence_rpm", "max_cadence_rpm", "threshold_hr_bpm",
    "time_in_power_zones", "time_in_hr_zones", "power_curve_w", "curve_w", "eftp_w",
    "decoupling_pct", "rmssd_ms", "wbal_min_j", "cp_w", "w_prime_j", "wprime_expended_kj",
    "xpower_w", "efficiency_factor",
)  # fmt: skip


class SummariesProjection:
    name = "summaries"
    topics = topics_of(
        domain_events.SessionStarted,
        domain_events.SessionFinished,
        domain_events.SessionDiscarded,
        domain_events.LateSamplesRecorded,
        domain_events.AthleteCreated,
        domain_events.AthleteThresholdsChanged,
        domain_events.AthletePowerThresholdsChanged,
        domain_events.AthleteZonesChanged,
        domain_events.AthleteTimeZoneChanged,
    )
    depends_on: str | None = "samples"

    decode = staticmethod(decode_events)

    def reset(self) -> None:
        pass  # nothing cached

    def prepare(self, conn: psycopg.Connection[Any], events: Sequence[LoggedEvent]) -> None:
        del conn, events

    def apply(self, conn: psycopg.Connection[Any], events: Sequence[LoggedEvent]) -> None:
        refit: dict[UUID, date] = {}
        for logged in events:
            event = logged.event
            if logged.is_a(domain_events.AthletePowerThresholdsChanged):
                self._power_thresholds(conn, event)
            elif logged.is_a(domain_events.AthleteZonesChanged):
                self._power_zones(conn, event)
            elif logged.is_a(domain_events.AthleteTimeZoneChanged):
                refit[event.originator_id] = self._time_zone(conn, event)
            elif isinstance(event, Athlete.Event):
                self._thresholds(conn, event, logged.is_a(domain_events.AthleteCreated))
            elif logged.is_a(domain_events.SessionStarted):
                self._started(conn, event)
            else:
                row = conn.execute(
                    "SELECT athlete_id, ride_day, status, ended_at FROM session_summaries"
                    " WHERE session_id = %s",
                    (event.originator_id,),
                ).fetchone()
                if row is None:
                    continue
                athlete_id, old_day, status, ended_at = row
                if logged.is_a(domain_events.LateSamplesRecorded):
                    if status != "finished":
                        continue  # a discarded ride keeps no figures
                    new_day = self._summarise(conn, event.originator_id, ended_at)
                elif logged.is_a(domain_events.SessionFinished):
                    new_day = self._summarise(conn, event.originator_id, _utc(event.timestamp))
                else:
                    new_day = self._discarded(conn, event)
                first = min(old_day, new_day)
                refit[athlete_id] = min(refit.get(athlete_id, first), first)
        for athlete_id, day in refit.items():
            recompute_fitness(conn, athlete_id, day)

    @classmethod
    def _thresholds(cls, conn: psycopg.Connection[Any], event: Any, created: bool) -> None:
        conn.execute(
            "INSERT INTO athlete_thresholds (athlete_id, threshold_hr_bpm, max_hr_bpm)"
            " VALUES (%s, %s, %s) ON CONFLICT (athlete_id) DO UPDATE"
            " SET threshold_hr_bpm = EXCLUDED.threshold_hr_bpm, max_hr_bpm = EXCLUDED.max_hr_bpm",
            (event.originator_id, event.threshold_hr, event.max_hr),
        )
        # The profile's first values count for every ride before any change (as the FTP's);
        # a change without a day (stored before the history existed) counts from its own day.
        day: str | None = getattr(event, "effective_from", None)
        effective_from = (
            date.min
            if created
            else date.fromisoformat(day)
            if day
            else _utc(event.timestamp).date()
        )
        conn.execute(
            "INSERT INTO athlete_hr_thresholds"
            " (athlete_id, effective_from, threshold_hr_bpm, max_hr_bpm) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (athlete_id, effective_from) DO UPDATE"
            " SET threshold_hr_bpm = EXCLUDED.threshold_hr_bpm, max_hr_bpm = EXCLUDED.max_hr_bpm",
            (event.originator_id, effective_from, event.threshold_hr, event.max_hr),
        )
        if not created:
            cls._resummarise(conn, event.originator_id, effective_from)

    @classmethod
    def _power_zones(cls, conn: psycopg.Connection[Any], event: Any) -> None:
        bounds = event.power_zones
        conn.execute(
            "INSERT INTO athlete_power_zones (athlete_id, upper_bounds_pct) VALUES (%s, %s)"
            " ON CONFLICT (athlete_id) DO UPDATE SET upper_bounds_pct = EXCLUDED.upper_bounds_pct",
            (event.originator_id, None if bounds is None else Jsonb(list(bounds))),
        )
        cls._resummarise(conn, event.originator_id, date.min)

    @classmethod
    def _resummarise(cls, conn: psycopg.Connection[Any], athlete_id: UUID, day: date) -> None:
        """Compute the athlete's finished rides from ``day`` on again (zones changed)."""
        rides = conn.execute(
            "SELECT session_id, ended_at FROM session_summaries WHERE athlete_id = %s"
            " AND status = 'finished' AND ride_day >= %s ORDER BY session_id",
            (athlete_id, day),
        ).fetchall()
        for session_id, ended_at in rides:
            cls._summarise(conn, session_id, ended_at)

    @classmethod
    def _power_thresholds(cls, conn: psycopg.Connection[Any], event: Any) -> None:
        conn.execute(
            "INSERT INTO athlete_power_thresholds (athlete_id, effective_from, cp_w, w_prime_j)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (athlete_id, effective_from) DO UPDATE"
            " SET cp_w = EXCLUDED.cp_w, w_prime_j = EXCLUDED.w_prime_j",
            (event.originator_id, date.fromisoformat(event.effective_from), event.cp_w,
             event.w_prime_j),
        )  # fmt: skip
        cls._resummarise(conn, event.originator_id, date.fromisoformat(event.effective_from))

    @staticmethod
    def _time_zone(conn: psycopg.Connection[Any], event: Any) -> date:
        """Keeps the zone and moves the athlete's rides to their days in it."""
        conn.execute(
            "INSERT INTO athlete_time_zones (athlete_id, time_zone) VALUES (%s, %s)"
            " ON CONFLICT (athlete_id) DO UPDATE SET time_zone = EXCLUDED.time_zone",
            (event.originator_id, event.time_zone),
        )
        conn.execute(
            "UPDATE session_summaries"
            " SET ride_day = (coalesce(first_sample_at, started_at) AT TIME ZONE %s)::date"
            " WHERE athlete_id = %s",
            (event.time_zone, event.originator_id),
        )
        return date.min  # the whole fitness history

    @staticmethod
    def _started(conn: psycopg.Connection[Any], event: Any) -> None:
        started_at = _utc(event.timestamp)  # an imported ride's: its first record
        athlete_id = _uuid(event.athlete_id)
        conn.execute(
            "INSERT INTO session_summaries (session_id, athlete_id, owner_id, transport, status,"
            " ftp_w, started_at, ride_day) VALUES (%s, %s, %s, %s, 'running', %s, %s, %s)"
            " ON CONFLICT (session_id) DO NOTHING",
            (
                event.originator_id,
                athlete_id,
                _uuid(event.owner_id),
                event.transport,
                int(event.ftp_w),
                started_at,
                _local_day(conn, athlete_id, started_at),
            ),
        )

    @staticmethod
    def _summarise(conn: psycopg.Connection[Any], session_id: UUID, ended_at: datetime) -> date:
        session = conn.execute(
            "SELECT s.athlete_id, s.ftp_w, s.started_at, z.upper_bounds_pct"
            " FROM session_summaries s LEFT JOIN athlete_power_zones z USING (athlete_id)"
            " WHERE s.session_id = %s",
            (session_id,),
        ).fetchone()
        if session is None:
            raise ProjectionError(f"session {session_id} has no summary row")
        athlete_id, ftp_w, started_at, zone_bounds = session
        rows = conn.execute(
            "SELECT extract(epoch FROM ts)::bigint, power_w, heart_rate_bpm, cadence_rpm,"
            " speed_kmh, distance_m, rr_ms FROM samples WHERE session_id = %s ORDER BY ts",
            (session_id,),
        ).fetchall()
        ride = ride_from_rows(rows)
        columns: dict[str, Any] = dict.fromkeys(_METRIC_COLUMNS)
        first_at = (
            datetime.fromtimestamp(ride.first_second, UTC)
            if ride.first_second is not None
            else None
        )
        day = _local_day(conn, athlete_id, first_at or started_at)
        if ride.first_second is not None:
            # CP and W' in force on the ride's day; summarize_ride defaults them (FTP, 20 kJ).
            cp_w, w_prime_j = _power_thresholds_on(conn, athlete_id, day)
            threshold_hr, max_hr = _hr_thresholds_on(conn, athlete_id, day)
            summary = summarize_ride(
                ride.series,
                ftp_w=ftp_w,
                threshold_hr=threshold_hr,
                rr_ms=ride.rr_ms or None,
                cp_w=cp_w,
                w_prime_j=w_prime_j,
                max_hr=max_hr,
                power_zone_bounds_pct=zone_bounds,
            )
            columns.update(summary_columns(summary))
        _update(conn, session_id, "finished", ended_at, first_at, day, columns)
        return day

    @staticmethod
    def _discarded(conn: psycopg.Connection[Any], event: Any) -> date:
        row = conn.execute(
            "SELECT ride_day FROM session_summaries WHERE session_id = %s", (event.originator_id,)
        ).fetchone()
        day: date = row[0] if row else _utc(event.timestamp).date()
        columns: dict[str, Any] = dict.fromkeys(_METRIC_COLUMNS)
        _update(conn, event.originator_id, "discarded", _utc(event.timestamp), None, day, columns)
        return day


def _update(
    conn: psycopg.Connection[Any],
    session_id: UUID,
    status: str,
    ended_at: datetime,
    first_sample_at: datetime | None,
    ride_day: date,
    columns: dict[str, Any],
) -> None:
    values = [Jsonb(v) if k in _JSON_COLUMNS and v is not None else v for k, v in columns.items()]
    assignments = ", ".join(f"{name} = %s" for name in columns)
    conn.execute(
        f"UPDATE session_summaries SET status = %s, ended_at = %s, first_sample_at = %s,"
        f" ride_day = %s, {assignments} WHERE session_id = %s",
        (status, ended_at, first_sample_at, ride_day, *values, session_id),
    )


def _power_thresholds_on(
    conn: psycopg.Connection[Any], athlete_id: UUID, day: date
) -> tuple[float | None, float | None]:
    """CP and W' in force on ``day``; None where the athlete set none (summarize_ride's default)."""
    row = conn.execute(
        "SELECT cp_w, w_prime_j FROM athlete_power_thresholds"
        " WHERE athlete_id = %s AND effective_from <= %s ORDER BY effective_from DESC LIMIT 1",
        (athlete_id, day),
    ).fetchone()
    return (None, None) if row is None else (row[0], row[1])


def _hr_thresholds_on(
    conn: psycopg.Connection[Any], athlete_id: UUID, day: date
) -> tuple[float | None, float | None]:
    """Threshold and max HR in force on ``day`` (the profile's first values before any
    change; athletes projected before the history existed: their current values)."""
    row = conn.execute(
        "SELECT threshold_hr_bpm, max_hr_bpm FROM athlete_hr_thresholds"
        " WHERE athlete_id = %s AND effective_from <= %s ORDER BY effective_from DESC LIMIT 1",
        (athlete_id, day),
    ).fetchone()
    if row is None:
        row = conn.execute(
            "SELECT threshold_hr_bpm, max_hr_bpm FROM athlete_thresholds WHERE athlete_id = %s",
            (athlete_id,),
        ).fetchone()
    return (None, None) if row is None else (row[0], row[1])


def _local_day(conn: psycopg.Connection[Any], athlete_id: UUID, moment: datetime) -> date:
    """The athlete's calendar day at ``moment`` (UTC until the athlete sets a zone)."""
    row = conn.execute(
        "SELECT time_zone FROM athlete_time_zones WHERE athlete_id = %s", (athlete_id,)
    ).fetchone()
    zone = ZoneInfo(row[0]) if row is not None else UTC
    return _utc(moment).astimezone(zone).date()


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
