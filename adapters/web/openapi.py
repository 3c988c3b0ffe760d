"""OpenAPI descriptions of the dashboard's routes (pages and assets), for the API's
`/api/openapi.json` (merged into `adapters.api.openapi.PATHS`)."""

from __future__ import annotations

from typing import Any

from adapters.web.pages import PAGES

_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_HTML = {"content": {"text/html": {"schema": {"type": "string"}}}}


def _public_get(summary: str, ok: dict[str, Any], not_found: bool) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "success", **ok}}
    if not_found:
        responses["404"] = {"description": "error", **_ERROR}
    return {
        "get": {
            "summary": summary,
            "tags": ["dashboard"],
            "responses": responses,
            "security": [],
        }
    }


DASHBOARD_PATHS: dict[str, dict[str, Any]] = {
    **{
        page.path: _public_get(f"dashboard page: {page.title}", _HTML, not_found="{" in page.path)
        for page in PAGES
    },
    "/static/{name}": _public_get("the dashboard's scripts, styles and icon", {}, True),
    "/vendor/uplot/{name}": _public_get("uPlot, from the npm registry", {}, True),
}
