"""The OpenAPI 3.1 description of the REST API, served at `/api/openapi.json`.

Written by hand, next to the routes; a test checks that every route the app registers is
described here, so a new route without a description fails the build.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.api.openapi_analytics import ANALYTICS_PATHS
from adapters.replay.openapi import REPLAY_PATHS
from adapters.web.openapi import DASHBOARD_PATHS
from domain.sessions import COMMAND_VALUE_LIMITS, VALUELESS_COMMANDS

_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_UUID = {"type": "string", "format": "uuid"}
COMMAND_KINDS = sorted(COMMAND_VALUE_LIMITS.keys() | VALUELESS_COMMANDS)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _op(
    summary: str,
    tag: str,
    ok: tuple[int, dict[str, Any] | None],
    *,
    body: dict[str, Any] | None = None,
    errors: tuple[int, ...] = (),
    public: bool = False,
    params: tuple[str, ...] = (),
) -> dict[str, Any]:
    status, schema = ok
    responses: dict[str, Any] = {
        str(status): {"description": "success", **(_json(schema) if schema else {})}
    }
    for code in sorted({*errors, 422} if body else set(errors)) + ([] if public else [401]):
        responses[str(code)] = {"description": "error", **_json(_ERROR_REF)}
    operation: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": responses}
    if body is not None:
        operation["requestBody"] = {"required": True, **_json(body)}
    if public:
        operation["security"] = []
    if params:
        operation["parameters"] = [
            {"name": name, "in": "path", "required": True, "schema": _UUID} for name in params
        ]
    return operation


def _obj(required: tuple[str, ...], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": properties}


_CREDENTIALS = _obj(
    ("email", "password"),
    email={"type": "string", "format": "email", "maxLength": 254},
    password={"type": "string", "minLength": 8, "maxLength": 128},
    device={"type": "string", "maxLength": 100},
)
_REFRESH = _obj(("refresh_token",), refresh_token={"type": "string"})
_ATHLETE_FIELDS = {
    "name": {"type": "string", "maxLength": 100},
    "ftp_w": {"type": "integer", "minimum": 1, "maximum": 2000},
    "weight_kg": {"type": "number", "minimum": 20, "maximum": 250},
    "max_hr": {"type": ["integer", "null"], "minimum": 60, "maximum": 240},
    "threshold_hr": {"type": ["integer", "null"], "minimum": 60, "maximum": 240},
    "power_zones": {"type": ["array", "null"], "items": {"type": "number"}, "maxItems": 12},
}
_SESSION_PATH = ("session_id",)
_SESSION_OK = (200, _ref("Session"))


def _session_action(summary: str, errors: tuple[int, ...] = (404, 409)) -> dict[str, Any]:
    return {"post": _op(summary, "sessions", _SESSION_OK, errors=errors, params=_SESSION_PATH)}


PATHS: dict[str, dict[str, Any]] = {
    "/healthz": {"get": _op("the process answers", "operations", (200, None), public=True)},
    "/readyz": {
        "get": _op("database and broker reachable", "operations", (200, None), public=True)
    },
    "/metrics": {
        "get": _op("Prometheus metrics (text format)", "operations", (200, None), public=True)
    },
    "/api/openapi.json": {
        "get": _op("this description", "operations", (200, {"type": "object"}), public=True)
    },
    "/api/auth/register": {
        "post": _op(
            "create an account (and log this device in)",
            "auth",
            (201, _ref("Tokens")),
            body=_CREDENTIALS,
            errors=(409,),
            public=True,
        )
    },
    "/api/auth/login": {
        "post": _op(
            "log in; throttled per account and per address (429 with Retry-After)",
            "auth",
            (200, _ref("Tokens")),
            body=_CREDENTIALS,
            errors=(401, 429),
            public=True,
        )
    },
    "/api/auth/refresh": {
        "post": _op(
            "rotate a refresh token; reusing an old one revokes the device",
            "auth",
            (200, _ref("Tokens")),
            body=_REFRESH,
            errors=(401,),
            public=True,
        )
    },
    "/api/auth/logout": {
        "post": _op(
            "revoke this device's refresh token", "auth", (204, None), body=_REFRESH, public=True
        )
    },
    "/api/auth/devices": {
        "get": _op("the devices (refresh token families) signed in", "auth", (200, None))
    },
    "/api/auth/devices/{device_id}": {
        "delete": _op(
            "sign a device out", "auth", (204, None), errors=(404,), params=("device_id",)
        )
    },
    "/api/me": {"get": _op("the signed-in user", "auth", (200, None))},
    "/api/ws-tickets": {
        "post": _op(
            "a single-use ticket (30 s) to authenticate a WebSocket",
            "websockets",
            (201, _obj(("ticket", "expires_in"), ticket={"type": "string"})),
        )
    },
    "/api/athletes": {
        "get": _op("the user's athletes", "athletes", (200, None)),
        "post": _op(
            "create an athlete",
            "athletes",
            (201, _ref("Athlete")),
            body=_obj(("name", "ftp_w", "weight_kg"), **_ATHLETE_FIELDS),
        ),
    },
    "/api/athletes/{athlete_id}": {
        "get": _op(
            "one athlete", "athletes", (200, _ref("Athlete")), errors=(404,), params=("athlete_id",)
        ),
        "patch": _op(
            "change name, weight, thresholds or zones (null zones: Coggan's)",
            "athletes",
            (200, _ref("Athlete")),
            body=_obj((), **{k: v for k, v in _ATHLETE_FIELDS.items() if k != "ftp_w"}),
            errors=(404, 409),
            params=("athlete_id",),
        ),
    },
    "/api/athletes/{athlete_id}/ftp": {
        "post": _op(
            "set the FTP from a date on (default today); kept in the FTP history",
            "athletes",
            (200, _ref("Athlete")),
            body=_obj(
                ("ftp_w",),
                ftp_w=_ATHLETE_FIELDS["ftp_w"],
                effective_from={"type": "string", "format": "date"},
            ),
            errors=(404, 409),
            params=("athlete_id",),
        )
    },
    "/api/bridges": {
        "get": _op("the user's bridges (?include_revoked=true)", "bridges", (200, None)),
        "post": _op(
            "register a bridge; a desktop bridge's broker password is in this answer only",
            "bridges",
            (201, _ref("Bridge")),
            body=_obj(
                ("name", "kind"),
                name={"type": "string", "maxLength": 100},
                kind={"enum": ["desktop", "phone"]},
            ),
            errors=(502,),
        ),
    },
    "/api/bridges/{bridge_id}": {
        "get": _op(
            "one bridge", "bridges", (200, _ref("Bridge")), errors=(404,), params=("bridge_id",)
        ),
        "delete": _op(
            "revoke a bridge and delete its broker account (closes its connections)",
            "bridges",
            (204, None),
            errors=(404, 502),
            params=("bridge_id",),
        ),
    },
    "/api/sessions": {
        "get": _op(
            "the user's sessions, newest first (?athlete_id, ?status, ?limit, ?before)",
            "sessions",
            (200, None),
            errors=(422,),
        ),
        "post": _op(
            "start a session (JSON, or multipart with a workout file)",
            "sessions",
            (201, _ref("Session")),
            body=_obj(
                ("athlete_id", "bridge_id"),
                athlete_id=_UUID,
                bridge_id=_UUID,
                workout={"type": "object", "description": "Workout.as_dict form"},
            ),
            errors=(404, 409, 503),
        ),
    },
    "/api/sessions/{session_id}": {
        "get": _op(
            "one session with its summary when projected",
            "sessions",
            _SESSION_OK,
            errors=(404,),
            params=_SESSION_PATH,
        )
    },
    "/api/sessions/{session_id}/pause": _session_action("pause"),
    "/api/sessions/{session_id}/resume": _session_action("resume"),
    "/api/sessions/{session_id}/laps": _session_action("mark a lap"),
    "/api/sessions/{session_id}/finish": _session_action("finish"),
    "/api/sessions/{session_id}/discard": _session_action("discard (optional reason)"),
    "/api/sessions/{session_id}/commands": {
        "post": _op(
            "send a trainer command (results arrive on /ws/live)",
            "sessions",
            (202, _obj(("command_id",), command_id=_UUID)),
            body=_obj(
                ("kind",),
                kind={"enum": list(COMMAND_KINDS)},
                value={"type": ["number", "null"]},
                command_id=_UUID,
            ),
            errors=(404, 409),
            params=_SESSION_PATH,
        )
    },
    "/api/sessions/{session_id}/transport": {
        "post": _op(
            "move the ride to another of the user's bridges (desktop <-> phone)",
            "sessions",
            _SESSION_OK,
            body=_obj(("bridge_id",), bridge_id=_UUID),
            errors=(404, 409),
            params=_SESSION_PATH,
        )
    },
    "/ws/live": {
        "get": _op(
            "WebSocket: live samples and command results of the user's sessions",
            "websockets",
            (101, None),
            errors=(403,),
            public=True,
        )
    },
    "/ws/bridge": {
        "get": _op(
            "WebSocket: the phone bridge gateway",
            "websockets",
            (101, None),
            errors=(403,),
            public=True,
        )
    },
}

SCHEMAS: dict[str, Any] = {
    "Error": _obj(
        ("error",),
        error=_obj(
            ("code", "message", "field"),
            code={"type": "string"},
            message={"type": "string"},
            field={"type": ["string", "null"]},
        ),
    ),
    "Tokens": _obj(
        ("access_token", "token_type", "expires_in", "refresh_token", "device_id", "user_id"),
        access_token={"type": "string"},
        token_type={"const": "Bearer"},
        expires_in={"type": "integer"},
        refresh_token={"type": "string"},
        device_id=_UUID,
        user_id=_UUID,
    ),
    "Athlete": _obj(
        ("id", "name", "ftp_w", "ftp_history", "weight_kg", "power_zones"),
        id=_UUID,
        ftp_history={"type": "array", "items": {"type": "object"}},
        **{k: v for k, v in _ATHLETE_FIELDS.items() if k != "power_zones"},
        power_zones={"type": "object"},
    ),
    "Bridge": _obj(
        ("id", "client_id", "name", "kind", "registered_at", "revoked_at"),
        id=_UUID,
        client_id={"type": "string"},
        name={"type": "string"},
        kind={"enum": ["desktop", "phone"]},
        credentials={"type": "object", "description": "desktop only, at registration only"},
    ),
    "Session": _obj(
        ("id", "athlete_id", "bridge_id", "status", "started_at"),
        id=_UUID,
        athlete_id=_UUID,
        bridge_id={"type": "string"},
        status={"enum": ["running", "paused", "finished", "discarded"]},
        summary={"type": ["object", "null"]},
    ),
}


def describe() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "wattlog API", "version": "1"},
        # The replay and the dashboard describe their own routes next to them.
        "paths": {**PATHS, **ANALYTICS_PATHS, **REPLAY_PATHS, **DASHBOARD_PATHS},
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(describe())


def setup(app: web.Application) -> None:
    app.router.add_get("/api/openapi.json", openapi)
