"""The Athlete aggregate: the profile that sessions and metrics read (FTP, HR, weight, zones).

Dates inside events and state are ISO strings: the event store's JSON encoder would
otherwise hand them back as text on one path and as objects on another.
"""

from __future__ import annotations

import functools
import math
from datetime import date, datetime
from itertools import pairwise
from typing import TypeGuard
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidProfile

MIN_FTP_W = 1
MAX_FTP_W = 2000
MIN_WEIGHT_KG = 20.0
MAX_WEIGHT_KG = 250.0
MIN_HR = 60
MAX_HR = 240
MAX_NAME_LENGTH = 100
MAX_POWER_ZONES = 12
MAX_ZONE_BOUND_PCT = 1000.0
MIN_W_PRIME_J = 1000
MAX_W_PRIME_J = 100000
# GoldenCheetah's default W' (docs/metrics.md); CP defaults to the FTP in force.
DEFAULT_W_PRIME_J = 20000

# The effective date of the heart-rate thresholds the profile was created with.
FROM_THE_START = date.min

# Riders' days, weeks and months are counted in their IANA time zone (docs/projections.md).
DEFAULT_TIME_ZONE = "UTC"
MAX_TIME_ZONE_LENGTH = 64

# Upper bounds of Coggan's zones 1-6 in % FTP; zone 7 (neuromuscular) is open-ended.
COGGAN_POWER_ZONES: tuple[float, ...] = (55.0, 75.0, 90.0, 105.0, 120.0, 150.0)


class Athlete(Aggregate):
    """A rider's profile. Create it with :meth:`create`."""

    # Profiles created before time zones existed (and their snapshots) count in UTC.
    _time_zone: str = DEFAULT_TIME_ZONE

    @event("Created")
    def __init__(
        self,
        id: UUID | None,  # the library passes the aggregate id; the base class keeps it
        owner_id: UUID,
        name: str,
        ftp_w: int,
        weight_kg: float,
        max_hr: int | None,
        threshold_hr: int | None,
    ) -> None:
        self._owner_id = str(owner_id)
        self._name = name
        # The first FTP counts from the day the profile was created (and before it).
        self._ftp_history: dict[str, int] = {self.created_on.date().isoformat(): ftp_w}
        self._weight_kg = weight_kg
        self._max_hr = max_hr
        self._threshold_hr = threshold_hr
        self._power_zones: list[float] | None = None
        # ISO date -> [CP W or None (= the FTP in force), W' J or None (= the default)].
        self._cp_history: dict[str, list[int | None]] = {}

    @classmethod
    def create(
        cls,
        owner_id: UUID,
        name: str,
        ftp_w: int,
        weight_kg: float,
        max_hr: int | None = None,
        threshold_hr: int | None = None,
        athlete_id: UUID | None = None,
        time_zone: str = DEFAULT_TIME_ZONE,
    ) -> Athlete:
        if not isinstance(owner_id, UUID):
            raise InvalidProfile(f"owner_id must be a UUID, got {owner_id!r}")
        if athlete_id is not None and not isinstance(athlete_id, UUID):
            raise InvalidProfile(f"athlete_id must be a UUID, got {athlete_id!r}")
        _check_thresholds(max_hr, threshold_hr)
        zone = _checked_time_zone(time_zone)
        athlete = cls(
            id=athlete_id,
            owner_id=owner_id,
            name=_checked_name(name),
            ftp_w=_checked_ftp(ftp_w),
            weight_kg=_checked_weight(weight_kg),
            max_hr=max_hr,
            threshold_hr=threshold_hr,
        )
        # A separate event keeps Created as it was: stored profiles replay unchanged.
        athlete.change_time_zone(zone)
        return athlete

    # Commands: each is a no-op when it would not change the profile.

    def rename(self, name: str) -> None:
        name = _checked_name(name)
        if name != self._name:
            self._rename(name=name)

    @event("Renamed")
    def _rename(self, name: str) -> None:
        self._name = name

    def change_ftp(self, ftp_w: int, effective_from: date) -> None:
        """Set the FTP in force from ``effective_from`` (replaces a change on that day)."""
        ftp_w = _checked_ftp(ftp_w)
        if not isinstance(effective_from, date) or isinstance(effective_from, datetime):
            raise InvalidProfile(f"effective_from must be a date, got {effective_from!r}")
        day = effective_from.isoformat()
        if self._ftp_history.get(day) != ftp_w:
            self._change_ftp(ftp_w=ftp_w, effective_from=day)

    @event("FtpChanged")
    def _change_ftp(self, ftp_w: int, effective_from: str) -> None:
        self._ftp_history[effective_from] = ftp_w

    def change_weight(self, weight_kg: float) -> None:
        weight_kg = _checked_weight(weight_kg)
        if weight_kg != self._weight_kg:
            self._change_weight(weight_kg=weight_kg)

    @event("WeightChanged")
    def _change_weight(self, weight_kg: float) -> None:
        self._weight_kg = weight_kg

    def change_thresholds(
        self, max_hr: int | None, threshold_hr: int | None, effective_from: date | None = None
    ) -> None:
        """Set max and threshold HR in force from ``effective_from`` (None: the day of the
        change); like the FTP, a change on a day replaces that day's."""
        _check_thresholds(max_hr, threshold_hr)
        if effective_from is None:
            if (max_hr, threshold_hr) != (self._max_hr, self._threshold_hr):
                self._change_thresholds(max_hr=max_hr, threshold_hr=threshold_hr)
            return
        if not isinstance(effective_from, date) or isinstance(effective_from, datetime):
            raise InvalidProfile(f"effective_from must be a date, got {effective_from!r}")
        day = effective_from.isoformat()
        if self._hr_history().get(day) != [max_hr, threshold_hr]:
            self._change_thresholds(max_hr=max_hr, threshold_hr=threshold_hr, effective_from=day)

    # Events stored before the history existed have no effective_from: the event's own day.
    @event("ThresholdsChanged")
    def _change_thresholds(
        self,
        max_hr: int | None,
        threshold_hr: int | None,
        effective_from: str | None = None,
        timestamp: datetime | None = None,
    ) -> None:
        day = effective_from or _day_of(timestamp)
        history = {**self._hr_history(), day: [max_hr, threshold_hr]}
        self._hr_thresholds = history
        self._max_hr, self._threshold_hr = history[max(history)]

    def change_time_zone(self, time_zone: str) -> None:
        """Count the rider's days in ``time_zone`` (an IANA name), past rides included."""
        zone = _checked_time_zone(time_zone)
        if zone != self._time_zone:
            self._change_time_zone(time_zone=zone)

    @event("TimeZoneChanged")
    def _change_time_zone(self, time_zone: str) -> None:
        self._time_zone = time_zone

    def change_zones(self, power_zones: list[float] | None) -> None:
        """Set custom power zone upper bounds in % FTP, or None for Coggan's defaults."""
        zones = None if power_zones is None else _checked_zones(power_zones)
        if zones != self._power_zones:
            self._change_zones(power_zones=zones)

    @event("ZonesChanged")
    def _change_zones(self, power_zones: list[float] | None) -> None:
        self._power_zones = power_zones

    def change_power_thresholds(
        self, cp_w: int | None, w_prime_j: int | None, effective_from: date
    ) -> None:
        """Set CP and W' in force from ``effective_from``; None means the default (FTP, 20 kJ)."""
        cp_w = None if cp_w is None else _checked_ftp(cp_w, "cp_w")
        w_prime_j = _checked_w_prime(w_prime_j)
        if not isinstance(effective_from, date) or isinstance(effective_from, datetime):
            raise InvalidProfile(f"effective_from must be a date, got {effective_from!r}")
        day = effective_from.isoformat()
        if self._power_history().get(day) != [cp_w, w_prime_j]:
            self._change_power_thresholds(cp_w=cp_w, w_prime_j=w_prime_j, effective_from=day)

    @event("PowerThresholdsChanged")
    def _change_power_thresholds(
        self, cp_w: int | None, w_prime_j: int | None, effective_from: str
    ) -> None:
        self._cp_history = {**self._power_history(), effective_from: [cp_w, w_prime_j]}

    # Read-only views

    def _hr_history(self) -> dict[str, list[int | None]]:
        # The profile's first values count from the start (the projector does the same), so a
        # change dated before the profile existed (an import of old rides) is the current value.
        history: dict[str, list[int | None]] | None = getattr(self, "_hr_thresholds", None)
        if history is None:
            return {FROM_THE_START.isoformat(): [self._max_hr, self._threshold_hr]}
        return history

    def hr_thresholds_on(self, day: date) -> tuple[int | None, int | None]:
        """(max HR, threshold HR) in force on ``day``."""
        if not isinstance(day, date):
            raise InvalidProfile(f"day must be a date, got {day!r}")
        wanted = (day.date() if isinstance(day, datetime) else day).isoformat()
        history = sorted(self._hr_history().items())
        in_force = history[0][1]
        for effective_from, values in history:
            if effective_from > wanted:
                break
            in_force = values
        return in_force[0], in_force[1]

    @property
    def hr_threshold_history(self) -> list[tuple[date, int | None, int | None]]:
        """(effective from, max HR, threshold HR) in date order; the profile's first values
        are dated FROM_THE_START."""
        return [
            (date.fromisoformat(day), max_hr, threshold_hr)
            for day, (max_hr, threshold_hr) in sorted(self._hr_history().items())
        ]

    def _power_history(self) -> dict[str, list[int | None]]:
        # Snapshots taken before CP and W' existed have no such attribute.
        history: dict[str, list[int | None]] = getattr(self, "_cp_history", {})
        return history

    def _power_on(self, day: date) -> list[int | None]:
        if not isinstance(day, date):
            raise InvalidProfile(f"day must be a date, got {day!r}")
        wanted = (day.date() if isinstance(day, datetime) else day).isoformat()
        in_force: list[int | None] = [None, None]
        for effective_from, values in sorted(self._power_history().items()):
            if effective_from > wanted:
                break
            in_force = values
        return in_force

    def power_thresholds_on(self, day: date) -> tuple[int | None, int | None]:
        """CP and W' as set for ``day`` (None: the default applies)."""
        cp_w, w_prime_j = self._power_on(day)
        return cp_w, w_prime_j

    def cp_on(self, day: date) -> int:
        """CP in force on ``day``: the latest one set on or before it, else the FTP that day."""
        cp_w = self._power_on(day)[0]
        return self.ftp_on(day) if cp_w is None else cp_w

    def w_prime_on(self, day: date) -> int:
        """W' in force on ``day``: the latest one set on or before it, else 20 kJ."""
        w_prime_j = self._power_on(day)[1]
        return DEFAULT_W_PRIME_J if w_prime_j is None else w_prime_j

    @property
    def power_threshold_history(self) -> list[tuple[date, int | None, int | None]]:
        """(effective from, CP or None, W' or None) in date order."""
        return [
            (date.fromisoformat(day), cp_w, w_prime_j)
            for day, (cp_w, w_prime_j) in sorted(self._power_history().items())
        ]

    def ftp_on(self, day: date) -> int:
        """The FTP in force on ``day``; before the first known FTP, that first FTP."""
        if not isinstance(day, date):
            raise InvalidProfile(f"day must be a date, got {day!r}")
        wanted = (day.date() if isinstance(day, datetime) else day).isoformat()
        history = sorted(self._ftp_history.items())
        in_force = history[0][1]
        for effective_from, ftp_w in history:
            if effective_from > wanted:
                break
            in_force = ftp_w
        return in_force

    @property
    def ftp_w(self) -> int:
        """The FTP with the latest effective date."""
        return self._ftp_history[max(self._ftp_history)]

    @property
    def ftp_history(self) -> list[tuple[date, int]]:
        return [(date.fromisoformat(day), ftp) for day, ftp in sorted(self._ftp_history.items())]

    @property
    def owner_id(self) -> UUID:
        return UUID(self._owner_id)

    @property
    def name(self) -> str:
        return self._name

    @property
    def weight_kg(self) -> float:
        return self._weight_kg

    @property
    def max_hr(self) -> int | None:
        return self._max_hr

    @property
    def threshold_hr(self) -> int | None:
        return self._threshold_hr

    @property
    def time_zone(self) -> str:
        """The IANA time zone the rider's days, weeks and months are counted in."""
        return self._time_zone

    def local_day(self, moment: datetime) -> date:
        """The rider's calendar day at ``moment`` (an aware datetime)."""
        if not isinstance(moment, datetime) or moment.tzinfo is None:
            raise InvalidProfile(f"moment must be an aware datetime, got {moment!r}")
        return moment.astimezone(ZoneInfo(self._time_zone)).date()

    @property
    def power_zones(self) -> tuple[float, ...]:
        """Zone upper bounds in % FTP: the custom ones, else Coggan's."""
        return COGGAN_POWER_ZONES if self._power_zones is None else tuple(self._power_zones)

    @property
    def has_custom_zones(self) -> bool:
        return self._power_zones is not None


def _day_of(timestamp: datetime | str | None) -> str:
    # Events decoded by a plain JSON transcoder may carry the timestamp as text.
    if isinstance(timestamp, str):
        timestamp = datetime.fromisoformat(timestamp)
    if timestamp is None:
        raise InvalidProfile("a thresholds change needs its day")
    return timestamp.date().isoformat()


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_finite_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _checked_name(name: object) -> str:
    if not isinstance(name, str) or not 0 < len(name.strip()) <= MAX_NAME_LENGTH:
        raise InvalidProfile(f"name must be 1..{MAX_NAME_LENGTH} characters, got {name!r}")
    return name.strip()


def _checked_ftp(ftp_w: object, name: str = "ftp_w") -> int:
    if not _is_int(ftp_w) or not MIN_FTP_W <= ftp_w <= MAX_FTP_W:
        raise InvalidProfile(f"{name} must be an int in {MIN_FTP_W}..{MAX_FTP_W} W, got {ftp_w!r}")
    return ftp_w


def _checked_w_prime(w_prime_j: object) -> int | None:
    if w_prime_j is not None and (
        not _is_int(w_prime_j) or not MIN_W_PRIME_J <= w_prime_j <= MAX_W_PRIME_J
    ):
        raise InvalidProfile(
            f"w_prime_j must be an int in {MIN_W_PRIME_J}..{MAX_W_PRIME_J} J, got {w_prime_j!r}"
        )
    return w_prime_j


def _checked_weight(weight_kg: object) -> float:
    if not _is_finite_number(weight_kg) or not MIN_WEIGHT_KG <= weight_kg <= MAX_WEIGHT_KG:
        raise InvalidProfile(
            f"weight_kg must be in {MIN_WEIGHT_KG:g}..{MAX_WEIGHT_KG:g} kg, got {weight_kg!r}"
        )
    return float(weight_kg)


def _checked_hr(name: str, hr: object) -> int | None:
    if hr is not None and (not _is_int(hr) or not MIN_HR <= hr <= MAX_HR):
        raise InvalidProfile(f"{name} must be an int in {MIN_HR}..{MAX_HR} bpm, got {hr!r}")
    return hr


def _check_thresholds(max_hr: object, threshold_hr: object) -> None:
    checked_max = _checked_hr("max_hr", max_hr)
    checked_threshold = _checked_hr("threshold_hr", threshold_hr)
    if (
        checked_max is not None
        and checked_threshold is not None
        and checked_threshold > checked_max
    ):
        raise InvalidProfile("threshold_hr cannot be above max_hr")


def _checked_zones(power_zones: object) -> list[float]:
    if not isinstance(power_zones, list | tuple) or not 0 < len(power_zones) <= MAX_POWER_ZONES:
        raise InvalidProfile(f"power_zones must hold 1..{MAX_POWER_ZONES} upper bounds")
    if not all(
        _is_finite_number(bound) and 0 < bound <= MAX_ZONE_BOUND_PCT for bound in power_zones
    ):
        raise InvalidProfile(f"zone bounds must be numbers in (0, {MAX_ZONE_BOUND_PCT:g}] % FTP")
    zones = [float(bound) for bound in power_zones]
    if any(lower >= upper for lower, upper in pairwise(zones)):
        raise InvalidProfile("zone bounds must be strictly increasing")
    return zones


def _checked_time_zone(time_zone: object) -> str:
    # ZoneInfo also accepts paths and odd spellings ("UTC0", "posixrules"); only the IANA
    # names the system lists (which PostgreSQL and browsers know too) are taken.
    if not isinstance(time_zone, str) or not 0 < len(time_zone) <= MAX_TIME_ZONE_LENGTH:
        raise InvalidProfile(f"time_zone must be an IANA time zone name, got {time_zone!r}")
    if time_zone != DEFAULT_TIME_ZONE and time_zone not in _iana_names():
        raise InvalidProfile(f"time_zone must be an IANA time zone name, got {time_zone!r}")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidProfile(f"time_zone {time_zone!r} is not known on this system") from None
    return time_zone


@functools.cache
def _iana_names() -> frozenset[str]:
    return frozenset(available_timezones())  # reads the zone files once per process
