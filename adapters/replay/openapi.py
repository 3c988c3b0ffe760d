"""OpenAPI descriptions of the replay's routes, for the API's `/api/openapi.json` (merged
into `adapters.api.openapi.PATHS`)."""

from __future__ import annotations

from typing import Any

_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_UUID = {"type": "string", "format": "uuid"}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): {"description": "error", **_ERROR} for code in codes}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


REPLAY_PATHS: dict[str, dict[str, Any]] = {
    "/api/sessions/{session_id}/events": {
        "get": {
            "summary": "the session's stored events, as live-feed messages with ride_t",
            "tags": ["replay"],
            "parameters": [
                {"name": "session_id", "in": "path", "required": True, "schema": _UUID},
                _query("after_at", {"type": "number"}, "only events committed after (epoch s)"),
                _query("after_version", {"type": "integer", "minimum": 0}, "page cursor"),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 10000}, "events"),
                _query(
                    "kind",
                    {"type": "string", "enum": ["sample", "command", "status"]},
                    "repeatable; default all",
                ),
            ],
            "responses": {
                "200": {
                    "description": "success",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                **_errors(401, 404, 422),
            },
        }
    },
    "/ws/replay": {
        "get": {
            "summary": "WebSocket: a past ride replayed at 1x..600x, play/pause/seek/skip pauses",
            "tags": ["websockets"],
            "responses": {"101": {"description": "success"}, **_errors(400, 403)},
            "security": [],
        }
    },
}
