"""OpenAPI descriptions of the dashboard's routes (pages and assets), for the API's
`/api/openapi.json` (merged into `adapters.api.openapi.PATHS`)."""

from __future__ import annotations

import re
from typing import Any

from adapters.web.pages import PAGES

_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_HTML = {"content": {"text/html": {"schema": {"type": "string"}}}}


_PARAMETERS = {
    "session_id": {"type": "string", "format": "uuid"},
    "name": {"type": "string", "description": "a file name the dashboard ships"},
}


def _public_get(summary: str, path: str, ok: dict[str, Any]) -> dict[str, Any]:
    names = re.findall(r"{(\w+)}", path)
    responses: dict[str, Any] = {"200": {"description": "success", **ok}}
    if names:  # a path that names nothing (an unknown file, a malformed id) is 404
        responses["404"] = {"description": "not_found", **_ERROR}
    operation: dict[str, Any] = {
        "summary": summary,
        "tags": ["dashboard"],
        "responses": responses,
        "security": [],
    }
    if names:
        operation["parameters"] = [
            {"name": name, "in": "path", "required": True, "schema": _PARAMETERS[name]}
            for name in names
        ]
    return {"get": operation}


DASHBOARD_PATHS: dict[str, dict[str, Any]] = {
    **{page.path: _public_get(f"dashboard page: {page.title}", page.path, _HTML) for page in PAGES},
    "/static/{name}": _public_get("the dashboard's scripts, styles and icon", "/static/{name}", {}),
    "/vendor/uplot/{name}": _public_get("uPlot, from the npm registry", "/vendor/uplot/{name}", {}),
}
