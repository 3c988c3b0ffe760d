"""`/api/sessions`: start a ride, list and show a user's rides.

Starting checks, in order: the athlete and the bridge are the user's, the bridge is not
revoked and not already driving a ride (409 `bridge_busy`), and the installation is under
its cap of active (running or paused) sessions (503 `too_many_sessions` with
`Retry-After`). The session keeps the FTP in force on the day it starts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from aiohttp import web
from eventsourcing.persistence import IntegrityError

from adapters.api.keys import ATHLETES, DB_POOL, SESSIONS, SETTINGS, USER_ID
from adapters.api.resources.summaries import summaries
from adapters.api.resources.workouts import (
    MAX_WORKOUT_FILE_BYTES,
    workout_from_file,
    workout_from_json,
)
from adapters.http.errors import BadRequest, Conflict, InvalidField, ServiceUnavailable
from adapters.http.ownership import (
    SESSION_COLUMNS,
    OwnedBridge,
    OwnedSession,
    athlete_of,
    bridge_of,
    session_of,
)
from adapters.http.threads import in_thread
from adapters.http.validation import (
    holds_nul,
    json_body,
    multipart_errors,
    multipart_parts,
    parse_uuid,
    path_uuid,
    query_datetime,
    query_integer,
)
from adapters.services.athletes import AthleteService
from adapters.services.sessions import SessionService
from domain.sessions import ACTIVE_STATUSES, SessionStatus, WorkoutSession

ADMISSION_RETRY_AFTER_S = 30
STATUSES = frozenset(status.value for status in SessionStatus)


def session_json(session: WorkoutSession, summary: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": str(session.id),
        "athlete_id": str(session.athlete_id),
        "bridge_id": session.client_id,
        "client_ids": list(session.client_ids),
        "transport": session.transport,
        "status": session.status.value,
        "started_at": session.started_at.isoformat(),
        "ended_at": None if session.ended_at is None else session.ended_at.isoformat(),
        "discard_reason": session.discard_reason,
        "ftp_w": session.ftp_w,
        "workout": session.workout,
        "recording": session.recording,
        "sample_count": session.sample_count,
        "lap_count": session.lap_count,
        "commands": {
            "issued": session.commands_issued,
            "acknowledged": session.commands_acknowledged,
            "failed": session.commands_failed,
        },
        "workout_control": workout_control_json(session),
        "summary": summary,
    }


def workout_control_json(session: WorkoutSession) -> dict[str, Any]:
    """The trainer target in force and, during a workout, the rider's manual target and the
    workout's intensity (docs/workouts.md, "Manual targets")."""
    in_force = session.target_in_force
    manual = session.manual_target
    return {
        "intensity_pct": session.intensity_pct,
        "target_in_force": None
        if in_force is None
        else {"kind": in_force[0], "value": in_force[1], "source": in_force[2]},
        "manual_target": None
        if manual is None
        else {"kind": manual[0], "value": manual[1], "step_index": manual[2]},
    }


def listed_session_json(session: OwnedSession, summary: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": str(session.id),
        "athlete_id": str(session.athlete_id),
        "bridge_id": session.client_id,
        "transport": session.transport,
        "status": session.status,
        "started_at": session.started_at.isoformat(),
        "ended_at": None if session.ended_at is None else session.ended_at.isoformat(),
        "summary": summary,
    }


async def response_for(
    request: web.Request, session: WorkoutSession, status: int = 200
) -> web.Response:
    found = await summaries(request.app[DB_POOL], [session.id])
    return web.json_response(session_json(session, found.get(session.id)), status=status)


async def ensure_bridge_free(
    request: web.Request, bridge: OwnedBridge, session_id: UUID | None
) -> None:
    if bridge.is_revoked:
        raise Conflict("the bridge has been revoked", field="bridge_id", code="bridge_revoked")
    async with request.app[DB_POOL].connection() as conn:
        cursor = await conn.execute(
            "SELECT session_id FROM bridge_routes WHERE client_id = %s", (bridge.client_id,)
        )
        row = await cursor.fetchone()
    if row is not None and row[0] != session_id:
        raise Conflict(
            "the bridge is already driving another session; finish it first",
            field="bridge_id",
            code="bridge_busy",
        )


async def _admit(request: web.Request) -> None:
    async with request.app[DB_POOL].connection() as conn:
        cursor = await conn.execute(
            "SELECT count(*) FROM user_sessions WHERE status = ANY(%s)", (list(ACTIVE_STATUSES),)
        )
        row = await cursor.fetchone()
    if row is not None and row[0] >= request.app[SETTINGS].max_running_sessions:
        raise ServiceUnavailable(
            "too many sessions are running right now; try again shortly",
            code="too_many_sessions",
            retry_after_s=ADMISSION_RETRY_AFTER_S,
        )


async def _start_request(request: web.Request) -> tuple[UUID, UUID, dict[str, Any] | None]:
    if request.content_type == "multipart/form-data":
        return await _start_form(request)
    body = await json_body(request)
    athlete_id, bridge_id = body.uuid("athlete_id"), body.uuid("bridge_id")
    workout_data = body.optional_object("workout")
    body.finish()
    workout = None if workout_data is None else workout_from_json(workout_data)
    return athlete_id, bridge_id, workout


async def _start_form(request: web.Request) -> tuple[UUID, UUID, dict[str, Any] | None]:
    fields: dict[str, str] = {}
    workout: dict[str, Any] | None = None
    async for part in multipart_parts(request):
        if part.name == "workout":
            with multipart_errors():
                data = await part.read(decode=True)
            if len(data) > MAX_WORKOUT_FILE_BYTES:
                raise InvalidField("the workout file is too large", field="workout")
            workout = workout_from_file(part.filename or "workout", bytes(data))
            if holds_nul(workout):
                raise BadRequest(
                    "workout must not contain control characters (U+0000)",
                    field="workout",
                    code="invalid_characters",
                )
        elif part.name in {"athlete_id", "bridge_id"}:
            with multipart_errors():
                fields[part.name] = (await part.text())[:100]
        else:
            raise InvalidField(
                f"unknown field {part.name!r}", field=part.name, code="unknown_field"
            )
    ids: list[UUID] = []
    for name in ("athlete_id", "bridge_id"):
        if name not in fields:
            raise InvalidField(f"{name} is required", field=name, code="missing_field")
        parsed = parse_uuid(fields[name])
        if parsed is None:
            raise InvalidField(f"{name} must be a UUID string", field=name)
        ids.append(parsed)
    return ids[0], ids[1], workout


def _start(
    athletes: AthleteService,
    sessions: SessionService,
    owner_id: UUID,
    athlete_id: UUID,
    bridge: OwnedBridge,
    workout: dict[str, Any] | None,
) -> WorkoutSession:
    athlete = athletes.get(athlete_id)
    try:
        return sessions.start(
            athlete_id=athlete_id,
            owner_id=owner_id,
            client_id=bridge.client_id,
            ftp_w=athlete.ftp_on(athlete.local_day(datetime.now(UTC))),  # the rider's today
            transport=bridge.kind,
            workout=workout,
        )
    except IntegrityError:
        # The one-active-session-per-client index refused a concurrent second start.
        raise Conflict(
            "the bridge is already driving another session", field="bridge_id", code="bridge_busy"
        ) from None


async def start(request: web.Request) -> web.Response:
    athlete_id, bridge_id, workout = await _start_request(request)
    pool, user_id = request.app[DB_POOL], request[USER_ID]
    await athlete_of(pool, user_id, athlete_id)
    bridge = await bridge_of(pool, user_id, bridge_id)
    await ensure_bridge_free(request, bridge, None)
    await _admit(request)
    session = await in_thread(
        _start, request.app[ATHLETES], request.app[SESSIONS], user_id, athlete_id, bridge, workout
    )
    return await response_for(request, session, status=201)


async def list_sessions(request: web.Request) -> web.Response:
    limit = query_integer(request, "limit", default=50, minimum=1, maximum=200)
    conditions: list[str] = ["owner_id = %s"]
    params: list[object] = [request[USER_ID]]
    athlete = request.query.get("athlete_id")
    if athlete is not None:
        athlete_id = parse_uuid(athlete)
        if athlete_id is None:
            raise InvalidField("athlete_id must be a UUID", field="athlete_id")
        conditions.append("athlete_id = %s")
        params.append(athlete_id)
    status = request.query.get("status")
    if status is not None:
        if status not in STATUSES:
            raise InvalidField(
                f"status must be one of {', '.join(sorted(STATUSES))}", field="status"
            )
        conditions.append("status = %s")
        params.append(status)
    before = query_datetime(request, "before")
    if before is not None:  # paging: the rides that started before the last one shown
        conditions.append("started_at < %s")
        params.append(before)
    async with request.app[DB_POOL].connection() as conn:
        cursor = await conn.execute(
            f"SELECT {SESSION_COLUMNS} FROM user_sessions WHERE {' AND '.join(conditions)}"
            " ORDER BY started_at DESC LIMIT %s",
            (*params, limit),
        )
        owned = [OwnedSession(*row) for row in await cursor.fetchall()]
    found = await summaries(request.app[DB_POOL], [s.id for s in owned])
    return web.json_response({"sessions": [listed_session_json(s, found.get(s.id)) for s in owned]})


async def get(request: web.Request) -> web.Response:
    owned = await session_of(
        request.app[DB_POOL], request[USER_ID], path_uuid(request, "session_id", "session")
    )
    session = await in_thread(request.app[SESSIONS].get, owned.id)
    return await response_for(request, session)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/sessions", start)
    app.router.add_get("/api/sessions", list_sessions)
    app.router.add_get("/api/sessions/{session_id}", get)
