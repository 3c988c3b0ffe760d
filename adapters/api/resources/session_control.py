"""Changing a running session: pause, resume, lap, finish, discard, trainer commands, and
moving the ride to another bridge (desktop <-> phone).

Every change goes through `SessionService`, which retries when the ingest worker appended
to the same session meanwhile. Refusals of the session's rules become 409 (a state that
does not allow it) or 422 (a value out of range).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID, uuid4

from aiohttp import web
from eventsourcing.persistence import IntegrityError

from adapters.api.keys import DB_POOL, SESSIONS, USER_ID
from adapters.api.resources.sessions import ensure_bridge_free, response_for
from adapters.http.errors import Conflict, InvalidField
from adapters.http.ownership import OwnedSession, bridge_of, session_of
from adapters.http.threads import in_thread
from adapters.http.validation import JsonBody, json_body, path_uuid
from adapters.services.sessions import SessionService
from domain.errors import (
    InvalidCommand,
    InvalidSession,
    NoWorkout,
    SessionAlreadyEnded,
    SessionAlreadyPaused,
    SessionNotPaused,
)
from domain.sessions import (
    COMMAND_VALUE_LIMITS,
    MAX_INTENSITY_PCT,
    MAX_REASON_LENGTH,
    MIN_INTENSITY_PCT,
    VALUELESS_COMMANDS,
    WorkoutSession,
)

COMMAND_KINDS = tuple(sorted(COMMAND_VALUE_LIMITS.keys() | VALUELESS_COMMANDS))

_CONFLICTS: dict[type[Exception], str] = {
    SessionAlreadyEnded: "session_ended",
    SessionAlreadyPaused: "already_paused",
    SessionNotPaused: "not_paused",
    NoWorkout: "no_workout",
}


async def _owned(request: web.Request) -> OwnedSession:
    session_id = path_uuid(request, "session_id", "session")
    return await session_of(request.app[DB_POOL], request[USER_ID], session_id)


async def _change(
    request: web.Request, change: Callable[[SessionService], WorkoutSession]
) -> WorkoutSession:
    try:
        return await in_thread(change, request.app[SESSIONS])
    except tuple(_CONFLICTS) as error:
        raise Conflict(str(error), code=_CONFLICTS[type(error)]) from None
    except IntegrityError:
        raise Conflict("the session is changing too fast; retry", code="busy") from None


async def _optional_body(request: web.Request) -> JsonBody:
    if request.can_read_body:
        return await json_body(request)
    return JsonBody({})


def _simple(
    action: Callable[[SessionService, UUID], WorkoutSession],
) -> Callable[[web.Request], Awaitable[web.Response]]:
    """A handler for a change that takes no arguments (pause, resume, lap, finish)."""

    async def handler(request: web.Request) -> web.Response:
        owned = await _owned(request)
        (await _optional_body(request)).finish()
        session = await _change(request, lambda service: action(service, owned.id))
        return await response_for(request, session)

    return handler


pause = _simple(SessionService.pause)
resume = _simple(SessionService.resume)
mark_lap = _simple(SessionService.mark_lap)
finish = _simple(SessionService.finish)
# During a workout: end the rider's manual target, the workout's target applies again.
resume_workout = _simple(SessionService.resume_workout)


async def change_workout_intensity(request: web.Request) -> web.Response:
    owned = await _owned(request)
    body = await json_body(request)
    percent = body.integer("percent", minimum=MIN_INTENSITY_PCT, maximum=MAX_INTENSITY_PCT)
    body.finish()
    session = await _change(
        request, lambda service: service.change_workout_intensity(owned.id, percent)
    )
    return await response_for(request, session)


async def discard(request: web.Request) -> web.Response:
    owned = await _owned(request)
    body = await _optional_body(request)
    reason = body.optional_text("reason", max_length=MAX_REASON_LENGTH, default="") or ""
    body.finish()
    session = await _change(request, lambda service: service.discard(owned.id, reason))
    return await response_for(request, session)


async def issue_command(request: web.Request) -> web.Response:
    owned = await _owned(request)
    body = await json_body(request)
    kind = body.choice("kind", COMMAND_KINDS)
    value: float | None = None
    if kind in COMMAND_VALUE_LIMITS:
        low, high = COMMAND_VALUE_LIMITS[kind]
        value = body.number("value", minimum=low, maximum=high)
    elif body.raw("value") is not None:
        raise InvalidField(f"{kind} takes no value", field="value")
    # A client may choose the id, so that retrying a request cannot issue it twice.
    command_id = body.optional_uuid("command_id") or uuid4()
    body.finish()
    user_id = request[USER_ID]
    try:
        await _change(
            request,
            lambda service: service.issue_command(owned.id, command_id, kind, value, user_id),
        )
    except InvalidCommand as error:
        raise InvalidField(str(error), field="value") from None
    return web.json_response(
        {"command_id": str(command_id), "kind": kind, "value": value, "status": "issued"},
        status=202,
    )


async def switch_transport(request: web.Request) -> web.Response:
    owned = await _owned(request)
    body = await json_body(request)
    bridge_id = body.uuid("bridge_id")
    body.finish()
    bridge = await bridge_of(request.app[DB_POOL], request[USER_ID], bridge_id)
    await ensure_bridge_free(request, bridge, owned.id)
    try:
        session = await _change(
            request,
            lambda service: service.switch_transport(owned.id, bridge.kind, bridge.client_id),
        )
    except InvalidSession as error:
        raise InvalidField(str(error), field="bridge_id") from None
    return await response_for(request, session)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/sessions/{session_id}/pause", pause)
    app.router.add_post("/api/sessions/{session_id}/resume", resume)
    app.router.add_post("/api/sessions/{session_id}/laps", mark_lap)
    app.router.add_post("/api/sessions/{session_id}/finish", finish)
    app.router.add_post("/api/sessions/{session_id}/discard", discard)
    app.router.add_post("/api/sessions/{session_id}/commands", issue_command)
    app.router.add_post("/api/sessions/{session_id}/workout/resume", resume_workout)
    app.router.add_put("/api/sessions/{session_id}/workout/intensity", change_workout_intensity)
    app.router.add_post("/api/sessions/{session_id}/transport", switch_transport)
