"""`/api/athletes`: the profiles a user manages (FTP with history, thresholds, weight, zones,
the IANA time zone the rider's days are counted in)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from aiohttp import web
from eventsourcing.persistence import IntegrityError

from adapters.api.keys import ATHLETES, DB_POOL, USER_ID
from adapters.http.errors import Conflict, InvalidField
from adapters.http.ownership import athlete_in_path
from adapters.http.threads import in_thread
from adapters.http.validation import JsonBody, json_body
from domain import athletes as rules
from domain.athletes import FROM_THE_START, Athlete
from domain.errors import InvalidProfile

FIELDS = (
    "name", "ftp_w", "weight_kg", "max_hr", "threshold_hr", "power_zones", "effective_from",
    "cp_w", "w_prime_j", "time_zone",
)  # fmt: skip


def athlete_json(athlete: Athlete) -> dict[str, Any]:
    ftp = athlete.ftp_w
    bounds = list(athlete.power_zones)
    zones: list[dict[str, Any]] = []
    lower = 0
    for number, upper_pct in enumerate([*bounds, None], start=1):
        upper = None if upper_pct is None else round(ftp * upper_pct / 100)
        zones.append({"zone": number, "from_w": lower, "to_w": upper})
        lower = upper if upper is not None else lower
    return {
        "id": str(athlete.id),
        "name": athlete.name,
        "ftp_w": ftp,
        "ftp_history": [
            {"effective_from": day.isoformat(), "ftp_w": value}
            for day, value in athlete.ftp_history
        ],
        # CP and W' in force today (CP defaults to the FTP, W' to 20 kJ), and what was set.
        "cp_w": athlete.cp_on(_today(athlete)),
        "w_prime_j": athlete.w_prime_on(_today(athlete)),
        "power_threshold_history": [
            {"effective_from": day.isoformat(), "cp_w": cp_w, "w_prime_j": w_prime_j}
            for day, cp_w, w_prime_j in athlete.power_threshold_history
        ],
        "weight_kg": athlete.weight_kg,
        "ftp_w_per_kg": round(ftp / athlete.weight_kg, 2),
        "max_hr": athlete.max_hr,
        "threshold_hr": athlete.threshold_hr,
        # Max and threshold HR from a day on; the profile's first values count from the start.
        "hr_threshold_history": [
            {
                "effective_from": None if day == FROM_THE_START else day.isoformat(),
                "max_hr": max_hr,
                "threshold_hr": threshold_hr,
            }
            for day, max_hr, threshold_hr in athlete.hr_threshold_history
        ],
        "power_zones": {
            "custom": athlete.has_custom_zones,
            "upper_bounds_pct": bounds,
            "zones": zones,
        },
        "time_zone": athlete.time_zone,
        "created_at": athlete.created_on.isoformat(),
    }


def _today(athlete: Athlete) -> date:
    """The rider's calendar day now (the default day a change takes effect from)."""
    return athlete.local_day(datetime.now(UTC))


def _time_zone(body: JsonBody) -> str | None:
    value = body.raw("time_zone")
    if value is not None and not isinstance(value, str):
        raise InvalidField("time_zone must be an IANA time zone name", field="time_zone")
    return value


def invalid_profile(error: InvalidProfile) -> InvalidField:
    message = str(error)
    field = next((name for name in FIELDS if message.startswith(name)), None)
    if field is None and "zone" in message:
        field = "power_zones"
    return InvalidField(message, field=field)


def _zones(body: JsonBody) -> list[float] | None:
    value = body.raw("power_zones")
    if value is not None and not isinstance(value, list):
        raise InvalidField("power_zones must be a list of % FTP upper bounds", field="power_zones")
    return value


async def create(request: web.Request) -> web.Response:
    body = await json_body(request)
    name = body.text("name", max_length=rules.MAX_NAME_LENGTH)
    ftp_w = body.integer("ftp_w", minimum=rules.MIN_FTP_W, maximum=rules.MAX_FTP_W)
    weight = body.number("weight_kg", minimum=rules.MIN_WEIGHT_KG, maximum=rules.MAX_WEIGHT_KG)
    max_hr = body.optional_integer("max_hr", minimum=rules.MIN_HR, maximum=rules.MAX_HR)
    threshold = body.optional_integer("threshold_hr", minimum=rules.MIN_HR, maximum=rules.MAX_HR)
    zones = _zones(body)
    zone = _time_zone(body)
    body.finish()
    try:
        athlete = Athlete.create(
            owner_id=request[USER_ID],
            name=name,
            ftp_w=ftp_w,
            weight_kg=weight,
            max_hr=max_hr,
            threshold_hr=threshold,
            time_zone=zone or rules.DEFAULT_TIME_ZONE,
        )
        if zones is not None:
            athlete.change_zones(zones)
    except InvalidProfile as error:
        raise invalid_profile(error) from None
    await in_thread(request.app[ATHLETES].add, athlete)
    return web.json_response(athlete_json(athlete), status=201)


async def list_athletes(request: web.Request) -> web.Response:
    async with request.app[DB_POOL].connection() as conn:
        cursor = await conn.execute(
            "SELECT athlete_id FROM user_athletes WHERE owner_id = %s ORDER BY created_at",
            (request[USER_ID],),
        )
        ids = [row[0] for row in await cursor.fetchall()]
    athletes = await in_thread(request.app[ATHLETES].get_many, ids)
    return web.json_response({"athletes": [athlete_json(a) for a in athletes]})


async def _changed(
    request: web.Request, athlete_id: UUID, change: Callable[[Athlete], None]
) -> web.Response:
    """Lets `change` decide on the athlete (adapters/services/athletes.py); answers with it."""
    try:
        athlete = await in_thread(request.app[ATHLETES].change, athlete_id, change)
    except InvalidProfile as error:
        raise invalid_profile(error) from None
    except IntegrityError:
        raise Conflict("the athlete was changed at the same time; retry") from None
    return web.json_response(athlete_json(athlete))


async def get(request: web.Request) -> web.Response:
    athlete_id = await athlete_in_path(request)
    athlete = await in_thread(request.app[ATHLETES].get, athlete_id)
    return web.json_response(athlete_json(athlete))


async def update(request: web.Request) -> web.Response:
    athlete_id = await athlete_in_path(request)
    body = await json_body(request)
    name = body.optional_text("name", max_length=rules.MAX_NAME_LENGTH)
    weight = body.optional_number(
        "weight_kg", minimum=rules.MIN_WEIGHT_KG, maximum=rules.MAX_WEIGHT_KG
    )
    thresholds = {key: body.has(key) for key in ("max_hr", "threshold_hr")}
    max_hr = body.optional_integer("max_hr", minimum=rules.MIN_HR, maximum=rules.MAX_HR)
    threshold = body.optional_integer("threshold_hr", minimum=rules.MIN_HR, maximum=rules.MAX_HR)
    zones_given = body.has("power_zones")
    zones = _zones(body)
    body.finish()

    def change(athlete: Athlete) -> None:
        if name is not None:
            athlete.rename(name)
        if weight is not None:
            athlete.change_weight(weight)
        if any(thresholds.values()):
            athlete.change_thresholds(
                max_hr if thresholds["max_hr"] else athlete.max_hr,
                threshold if thresholds["threshold_hr"] else athlete.threshold_hr,
            )
        if zones_given:
            athlete.change_zones(zones)

    return await _changed(request, athlete_id, change)


async def change_ftp(request: web.Request) -> web.Response:
    athlete_id = await athlete_in_path(request)
    body = await json_body(request)
    ftp_w = body.integer("ftp_w", minimum=rules.MIN_FTP_W, maximum=rules.MAX_FTP_W)
    effective_from = body.optional_date("effective_from")
    body.finish()

    return await _changed(
        request,
        athlete_id,
        lambda athlete: athlete.change_ftp(ftp_w, effective_from or _today(athlete)),
    )


async def change_power_thresholds(request: web.Request) -> web.Response:
    athlete_id = await athlete_in_path(request)
    body = await json_body(request)
    cp_w = body.optional_integer("cp_w", minimum=rules.MIN_FTP_W, maximum=rules.MAX_FTP_W)
    w_prime_j = body.optional_integer(
        "w_prime_j", minimum=rules.MIN_W_PRIME_J, maximum=rules.MAX_W_PRIME_J
    )
    effective_from = body.optional_date("effective_from")
    body.finish()

    return await _changed(
        request,
        athlete_id,
        lambda athlete: athlete.change_power_thresholds(
            cp_w, w_prime_j, effective_from or _today(athlete)
        ),
    )


async def change_hr_thresholds(request: web.Request) -> web.Response:
    athlete_id = await athlete_in_path(request)
    body = await json_body(request)
    max_hr = body.optional_integer("max_hr", minimum=rules.MIN_HR, maximum=rules.MAX_HR)
    threshold = body.optional_integer("threshold_hr", minimum=rules.MIN_HR, maximum=rules.MAX_HR)
    effective_from = body.optional_date("effective_from")
    body.finish()

    return await _changed(
        request,
        athlete_id,
        lambda athlete: athlete.change_thresholds(
            max_hr, threshold, effective_from or _today(athlete)
        ),
    )


async def change_time_zone(request: web.Request) -> web.Response:
    """PUT the rider's IANA zone; the history is re-bucketed by the projections."""
    athlete_id = await athlete_in_path(request)
    body = await json_body(request)
    zone = body.text("time_zone", max_length=rules.MAX_TIME_ZONE_LENGTH)
    body.finish()

    return await _changed(request, athlete_id, lambda athlete: athlete.change_time_zone(zone))


def setup(app: web.Application) -> None:
    app.router.add_post("/api/athletes", create)
    app.router.add_get("/api/athletes", list_athletes)
    app.router.add_get("/api/athletes/{athlete_id}", get)
    app.router.add_patch("/api/athletes/{athlete_id}", update)
    app.router.add_post("/api/athletes/{athlete_id}/ftp", change_ftp)
    app.router.add_post("/api/athletes/{athlete_id}/power-thresholds", change_power_thresholds)
    app.router.add_post("/api/athletes/{athlete_id}/hr-thresholds", change_hr_thresholds)
    app.router.add_put("/api/athletes/{athlete_id}/time-zone", change_time_zone)
