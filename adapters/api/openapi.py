"""The OpenAPI 3.1 description of the REST API, served at `/api/openapi.json`.

Written by hand, next to the routes; a test checks that every route the app registers is
described here, so a new route without a description fails the build.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.api.auth.refresh import MAX_DEVICE_LENGTH
from adapters.api.auth.users import MAX_EMAIL_LENGTH
from adapters.api.openapi_analytics import ANALYTICS_PATHS
from adapters.http.validation import DATETIME_PATTERN
from adapters.replay import REPLAY_PATHS
from adapters.web import DASHBOARD_PATHS
from domain.athletes import (
    MAX_FTP_W,
    MAX_HR,
    MAX_POWER_ZONES,
    MAX_TIME_ZONE_LENGTH,
    MAX_W_PRIME_J,
    MAX_WEIGHT_KG,
    MIN_FTP_W,
    MIN_HR,
    MIN_W_PRIME_J,
    MIN_WEIGHT_KG,
)
from domain.athletes import MAX_NAME_LENGTH as ATHLETE_NAME_LENGTH
from domain.bridges import MAX_NAME_LENGTH as BRIDGE_NAME_LENGTH
from domain.sessions import (
    COMMAND_VALUE_LIMITS,
    MAX_INTENSITY_PCT,
    MAX_REASON_LENGTH,
    MIN_INTENSITY_PCT,
    VALUELESS_COMMANDS,
    SessionStatus,
)

STATUSES = sorted(status.value for status in SessionStatus)

_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_UUID = {"type": "string", "format": "uuid"}
COMMAND_KINDS = sorted(COMMAND_VALUE_LIMITS.keys() | VALUELESS_COMMANDS)

# What each error status means on these routes; every route lists the ones it can answer.
ERROR_MEANINGS = {
    400: "invalid_json (not a JSON object), invalid_characters (a control character in a "
    "text field, or NUL anywhere), invalid_multipart, or not a WebSocket upgrade",
    401: "unauthorized or invalid_token (no, expired or forged access token)",
    403: "origin_not_allowed",
    404: "not_found (also another user's resource)",
    409: "a conflict with the resource's state (the code says which)",
    413: "body_too_large",
    415: "unsupported_media_type (send application/json)",
    422: "invalid_field, missing_field, unknown_field, weak_password, invalid_workout, "
    "invalid_ride",
    429: "too_many_requests (Retry-After)",
    502: "upstream_failed (the RabbitMQ management API refused)",
    503: "too_many_sessions (Retry-After)",
}
# Text fields refuse control characters (Unicode Cc); passwords only NUL (validation.py).
NO_CONTROLS = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
NO_NUL = "^[^\\u0000]*$"


def text(max_length: int, *, min_length: int = 1, nullable: bool = False) -> dict[str, Any]:
    return {
        "type": ["string", "null"] if nullable else "string",
        "minLength": min_length,
        "maxLength": max_length,
        "pattern": NO_CONTROLS,
    }


def error_responses(codes: Any) -> dict[str, Any]:
    return {
        str(code): {"description": ERROR_MEANINGS.get(code, "error"), **_json(_ERROR_REF)}
        for code in sorted(codes)
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


# A JSON body: checked before anything happens (400, 413, 415, 422 with the field).
BODY_ERRORS = (400, 413, 415, 422)


def _op(
    summary: str,
    tag: str,
    ok: tuple[int, dict[str, Any] | None],
    *,
    body: dict[str, Any] | None = None,
    body_required: bool = True,
    errors: tuple[int, ...] = (),
    public: bool = False,
    params: tuple[str, ...] = (),
    query: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    status, schema = ok
    responses: dict[str, Any] = {
        str(status): {"description": "success", **(_json(schema) if schema else {})}
    }
    codes = {*errors, *(BODY_ERRORS if body else ()), *(() if public else (401,))}
    responses.update(error_responses(codes))
    operation: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": responses}
    if body is not None:
        operation["requestBody"] = {"required": body_required, **_json(body)}
    if public:
        operation["security"] = []
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": _UUID} for name in params
    ]
    parameters += list(query)
    if parameters:
        operation["parameters"] = parameters
    return operation


def _obj(required: tuple[str, ...], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": properties}


def body(required: tuple[str, ...], **properties: Any) -> dict[str, Any]:
    """A request body: a field the endpoint does not know is refused (unknown_field)."""
    return {**_obj(required, **properties), "additionalProperties": False}


def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


_CREDENTIALS = body(
    ("email", "password"),
    # No `format: email`: the API's own rule (local@domain.tld, surrounding spaces ignored)
    # is narrower than no rule and wider than JSON Schema's; an address it refuses is 422.
    email={**text(MAX_EMAIL_LENGTH), "description": "an e-mail address: local@domain.tld"},
    password={"type": "string", "minLength": 8, "maxLength": 128, "pattern": NO_NUL},
    device=text(MAX_DEVICE_LENGTH, nullable=True),
)
_REFRESH = body(("refresh_token",), refresh_token=text(200))
_NULLABLE_HR = {"type": ["integer", "null"], "minimum": MIN_HR, "maximum": MAX_HR}
_ZONES = {
    "type": ["array", "null"],
    "items": {"type": "number"},
    "maxItems": MAX_POWER_ZONES,
    "description": "upper bounds in % FTP, increasing; null: Coggan's zones",
}
_ATHLETE_FIELDS = {
    "name": text(ATHLETE_NAME_LENGTH),
    "ftp_w": {"type": "integer", "minimum": MIN_FTP_W, "maximum": MAX_FTP_W},
    "weight_kg": {"type": "number", "minimum": MIN_WEIGHT_KG, "maximum": MAX_WEIGHT_KG},
    "max_hr": _NULLABLE_HR,
    "threshold_hr": _NULLABLE_HR,
    "power_zones": _ZONES,
    "time_zone": {
        **text(MAX_TIME_ZONE_LENGTH),
        "description": "IANA name (default UTC): the rider's days, weeks and months",
    },
}
_ATHLETE_CHANGES = {
    "name": text(ATHLETE_NAME_LENGTH, nullable=True),
    "weight_kg": {**_ATHLETE_FIELDS["weight_kg"], "type": ["number", "null"]},
    "max_hr": _NULLABLE_HR,
    "threshold_hr": _NULLABLE_HR,
    "power_zones": _ZONES,
}


def _with_form(operation: dict[str, Any], form: dict[str, Any]) -> dict[str, Any]:
    """The operation also takes its body as multipart/form-data."""
    operation["requestBody"]["content"]["multipart/form-data"] = {"schema": form}
    return operation


_SESSION_PATH = ("session_id",)
_SESSION_OK = (200, _ref("Session"))


def _session_action(summary: str, **fields: Any) -> dict[str, Any]:
    """Pause, resume, lap, finish, discard: the body is optional (`{}` or none)."""
    return {
        "post": _op(
            summary,
            "sessions",
            _SESSION_OK,
            body=body((), **fields),
            body_required=False,
            errors=(404, 409),
            params=_SESSION_PATH,
        )
    }


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
            body=body(("name", "ftp_w", "weight_kg"), **_ATHLETE_FIELDS),
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
            body=body((), **_ATHLETE_CHANGES),
            errors=(404, 409),
            params=("athlete_id",),
        ),
    },
    "/api/athletes/{athlete_id}/ftp": {
        "post": _op(
            "set the FTP from a date on (default today); kept in the FTP history",
            "athletes",
            (200, _ref("Athlete")),
            body=body(
                ("ftp_w",),
                ftp_w=_ATHLETE_FIELDS["ftp_w"],
                effective_from={"type": ["string", "null"], "format": "date"},
            ),
            errors=(404, 409),
            params=("athlete_id",),
        )
    },
    "/api/athletes/{athlete_id}/power-thresholds": {
        "post": _op(
            "set CP and W' from a date on (default today); null: the default (FTP, 20 kJ)",
            "athletes",
            (200, _ref("Athlete")),
            body=body(
                (),
                cp_w={**_ATHLETE_FIELDS["ftp_w"], "type": ["integer", "null"]},
                w_prime_j={
                    "type": ["integer", "null"],
                    "minimum": MIN_W_PRIME_J,
                    "maximum": MAX_W_PRIME_J,
                },
                effective_from={"type": ["string", "null"], "format": "date"},
            ),
            errors=(404, 409),
            params=("athlete_id",),
        )
    },
    "/api/athletes/{athlete_id}/hr-thresholds": {
        "post": _op(
            "set max and threshold HR from a date on (default today): rides from that day"
            " get their heart-rate zones from them",
            "athletes",
            (200, _ref("Athlete")),
            body=body(
                (),
                max_hr=_NULLABLE_HR,
                threshold_hr=_NULLABLE_HR,
                effective_from={"type": ["string", "null"], "format": "date"},
            ),
            errors=(404, 409),
            params=("athlete_id",),
        )
    },
    "/api/athletes/{athlete_id}/time-zone": {
        "put": _op(
            "set the IANA time zone; past rides move to their days in it",
            "athletes",
            (200, _ref("Athlete")),
            body=body(("time_zone",), time_zone=_ATHLETE_FIELDS["time_zone"]),
            errors=(404, 409),
            params=("athlete_id",),
        )
    },
    "/api/bridges": {
        "get": _op(
            "the user's bridges",
            "bridges",
            (200, None),
            errors=(422,),
            query=(
                query(
                    "include_revoked",
                    {"type": "string", "enum": ["true", "false", "1", "0", "yes", "no"]},
                    "also the revoked ones (default false)",
                ),
            ),
        ),
        "post": _op(
            "register a bridge; a desktop bridge's broker password is in this answer only",
            "bridges",
            (201, _ref("Bridge")),
            body=body(
                ("name", "kind"),
                name=text(BRIDGE_NAME_LENGTH),
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
            "revoke a bridge, delete its broker account (closes its connections) and command queue",
            "bridges",
            (204, None),
            errors=(404, 502),
            params=("bridge_id",),
        ),
    },
    "/api/sessions": {
        "get": _op(
            "the user's sessions, newest first",
            "sessions",
            (200, None),
            errors=(422,),
            query=(
                query("athlete_id", _UUID, "only this athlete's"),
                query("status", {"enum": STATUSES}, "only sessions in this state"),
                query("limit", {"type": "integer", "minimum": 1, "maximum": 200}, "default 50"),
                query(
                    "before",
                    {"type": "string", "pattern": f"^{DATETIME_PATTERN.pattern}$"},
                    "only sessions started before (ISO 8601 YYYY-MM-DDThh:mm:ss, UTC without"
                    " an offset): to page, the started_at of the last session shown",
                ),
            ),
        ),
        "post": _with_form(
            _op(
                "start a session (JSON, or multipart with a workout file)",
                "sessions",
                (201, _ref("Session")),
                body=body(
                    ("athlete_id", "bridge_id"),
                    athlete_id=_UUID,
                    bridge_id=_UUID,
                    workout={"type": ["object", "null"], "description": "Workout.as_dict form"},
                ),
                errors=(404, 409, 503),
            ),
            body(
                ("athlete_id", "bridge_id"),
                athlete_id=_UUID,
                bridge_id=_UUID,
                workout={
                    "type": "string",
                    "format": "binary",
                    "description": "a .zwo, .erg or .mrc file (by its file name)",
                },
            ),
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
    "/api/sessions/{session_id}/discard": _session_action(
        "discard (optional reason)", reason=text(MAX_REASON_LENGTH, nullable=True)
    ),
    "/api/sessions/{session_id}/commands": {
        "post": _op(
            "send a trainer command (results arrive on /ws/live)",
            "sessions",
            (202, _obj(("command_id",), command_id=_UUID)),
            body=body(
                ("kind",),
                kind={"enum": list(COMMAND_KINDS)},
                value={
                    "type": ["number", "null"],
                    "description": "required by target_power, slope and resistance (in their"
                    " limits); null or absent for start and stop",
                },
                command_id={**_UUID, "type": ["string", "null"]},
            ),
            errors=(404, 409),
            params=_SESSION_PATH,
        )
    },
    "/api/sessions/{session_id}/workout/resume": _session_action(
        "end the rider's manual target: the workout's target applies again"
    ),
    "/api/sessions/{session_id}/workout/intensity": {
        "put": _op(
            "scale the workout's targets (ends a manual target)",
            "sessions",
            _SESSION_OK,
            body=body(
                ("percent",),
                percent={
                    "type": "integer",
                    "minimum": MIN_INTENSITY_PCT,
                    "maximum": MAX_INTENSITY_PCT,
                },
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
            body=body(("bridge_id",), bridge_id=_UUID),
            errors=(404, 409),
            params=_SESSION_PATH,
        )
    },
    "/ws/live": {
        "get": _op(
            "WebSocket: live samples and command results of the user's sessions",
            "websockets",
            (101, None),
            errors=(400, 403),
            public=True,
        )
    },
    "/ws/bridge": {
        "get": _op(
            "WebSocket: the phone bridge gateway",
            "websockets",
            (101, None),
            errors=(400, 403),
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
        cp_w={"type": "integer", "description": "in force today; default: the FTP"},
        w_prime_j={"type": "integer", "description": "in force today; default: 20000"},
        power_threshold_history={"type": "array", "items": {"type": "object"}},
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
        workout_control={
            "type": "object",
            "description": "intensity_pct, target_in_force {kind, value, source: workout|rider}"
            " and manual_target {kind, value, step_index} (null when none)",
        },
        summary={
            "type": ["object", "null"],
            "description": "the session_summaries row (docs/api.md); figures named here",
            "properties": {
                name: {"type": ["number", "null"]}
                for name in (
                    "normalized_power_w",
                    "tss",
                    "work_kj",
                    "xpower_w",
                    "efficiency_factor",
                    "decoupling_pct",
                    "cp_w",
                    "w_prime_j",
                    "wprime_expended_kj",
                    "wbal_min_j",
                )
            },
        },
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
