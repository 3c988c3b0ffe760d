"""OpenAPI descriptions of the analytics routes and the ride upload (merged into
`adapters.api.openapi.describe`)."""

from __future__ import annotations

from typing import Any

_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_UUID = {"type": "string", "format": "uuid"}
_DATE = {"type": "string", "format": "date"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


_RANGE = (
    _query("start", _DATE, "first day, the rider's (default: all time); not after end, else 422"),
    _query("end", _DATE, "last day, the rider's (default: all time); not before start, else 422"),
)


def _get(
    summary: str,
    tag: str,
    path_name: str,
    schema: dict[str, Any],
    *,
    query: tuple[dict[str, Any], ...] = (),
    errors: tuple[int, ...] = (401, 404),
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "tags": [tag],
            "parameters": [
                {"name": path_name, "in": "path", "required": True, "schema": _UUID},
                *query,
            ],
            "responses": {
                "200": {"description": "success", **_json(schema)},
                **{str(code): {"description": "error", **_ERROR} for code in errors},
            },
        }
    }


def _columns(*names: str) -> dict[str, Any]:
    return {"type": "object", "properties": {n: {"type": "array"} for n in names}}


def _list(key: str, *, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    properties: dict[str, Any] = {key: {"type": "array", "items": {"type": "object"}}}
    properties.update({name: {"type": "string"} for name in extra})
    return {"type": "object", "required": [key], "properties": properties}


_RIDE_IMPORT = {
    "type": "object",
    "required": ["session_id", "created", "samples", "started_at", "ftp_w"],
    "properties": {
        "session_id": _UUID,
        "created": {"type": "boolean"},
        "samples": {"type": "integer"},
        "started_at": {"type": "string", "format": "date-time"},
        "ftp_w": {"type": "integer"},
    },
}
_RANGE_ERRORS = (401, 404, 422)

ANALYTICS_PATHS: dict[str, dict[str, Any]] = {
    "/api/sessions/{session_id}/series": _get(
        "the ride's 1 s series, columnar, t in epoch s, wbal_j the W' balance in J",
        "analytics",
        "session_id",
        _columns("t", "power_w", "heart_rate_bpm", "cadence_rpm", "speed_kmh"),
    ),
    "/api/sessions/{session_id}/minutes": _get(
        "the ride's per-minute rollups, columnar",
        "analytics",
        "session_id",
        _columns("t", "avg_power_w", "tss"),
    ),
    "/api/sessions/{session_id}/power-curve": _get(
        "the ride's best mean power per duration (404 until projected)",
        "analytics",
        "session_id",
        _columns("durations_s", "watts"),
    ),
    "/api/sessions/{session_id}/zones": _get(
        "time in power and heart-rate zones (404 until projected)",
        "analytics",
        "session_id",
        {"type": "object"},
    ),
    "/api/athletes/{athlete_id}/fitness": _get(
        "CTL, ATL, TSB and TSS by the rider's day, from the first ride to end (default today)",
        "analytics",
        "athlete_id",
        _list("fitness"),
        query=_RANGE,
        errors=_RANGE_ERRORS,
    ),
    "/api/athletes/{athlete_id}/summaries": _get(
        "totals per week (from Monday) or month, in the rider's time zone",
        "analytics",
        "athlete_id",
        _list("summaries", extra=("period",)),
        query=(_query("period", {"enum": ["week", "month"]}, "default week"), *_RANGE),
        errors=_RANGE_ERRORS,
    ),
    "/api/athletes/{athlete_id}/zones": _get(
        "time in power and heart-rate zones per week (from Monday), as each ride counted it",
        "analytics",
        "athlete_id",
        _list("weeks"),
        query=_RANGE,
        errors=_RANGE_ERRORS,
    ),
    "/api/athletes/{athlete_id}/best-efforts": _get(
        "best mean power over 5 s, 1, 5, 20 and 60 min, with the ride",
        "analytics",
        "athlete_id",
        _list("best_efforts"),
        query=_RANGE,
        errors=_RANGE_ERRORS,
    ),
    "/api/athletes/{athlete_id}/power-curve": _get(
        "the mean-max power curve with the ride of each point",
        "analytics",
        "athlete_id",
        _columns("durations_s", "watts", "session_ids", "days"),
        query=_RANGE,
        errors=_RANGE_ERRORS,
    ),
    "/api/athletes/{athlete_id}/rides": {
        "post": {
            "summary": "upload a FIT ride file: 201 imported, 200 already imported",
            "tags": ["athletes"],
            "parameters": [{"name": "athlete_id", "in": "path", "required": True, "schema": _UUID}],
            "requestBody": {
                "required": True,
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {"file": {"type": "string", "format": "binary"}},
                        }
                    },
                },
            },
            "responses": {
                "201": {"description": "imported", **_json(_RIDE_IMPORT)},
                "200": {"description": "already imported", **_json(_RIDE_IMPORT)},
                **{
                    str(code): {"description": "error", **_ERROR}
                    for code in (400, 401, 404, 413, 415, 422)
                },
            },
        }
    },
}
