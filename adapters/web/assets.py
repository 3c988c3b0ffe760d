"""The dashboard's static files (`/static/<name>`: its ES modules, styles, icon) and the
browser libraries installed from the npm registry (`/vendor/uplot/<name>`).

Only files that exist at start-up are served, looked up by name: no path from a request
ever reaches the file system. uPlot comes from `node_modules/` at the project root, which
`ops/bootstrap` fills with `npm ci`; without it the pages work and say the charts are
unavailable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from adapters.http.errors import NotFound

STATIC = Path(__file__).resolve().parent / "static"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
UPLOT_DIST = PROJECT_ROOT / "node_modules" / "uplot" / "dist"
UPLOT_FILES = ("uPlot.esm.js", "uPlot.min.css")

CONTENT_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
# Revalidated on every load (cheap: 304 by Last-Modified), so a deploy is seen at once.
ASSET_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


def static_files(directory: Path) -> dict[str, Path]:
    if not directory.is_dir():
        return {}
    return {
        path.name: path
        for path in directory.iterdir()
        if path.is_file() and path.suffix in CONTENT_TYPES
    }


def file_handler(files: dict[str, Path]) -> Callable[[web.Request], Awaitable[web.FileResponse]]:
    async def handler(request: web.Request) -> web.FileResponse:
        path = files.get(request.match_info["name"])
        if path is None or not path.is_file():
            raise NotFound("no such file")
        response = web.FileResponse(path, headers=ASSET_HEADERS)
        response.content_type = CONTENT_TYPES[path.suffix]
        return response

    return handler


def setup(app: web.Application) -> None:
    app.router.add_get("/static/{name}", file_handler(static_files(STATIC)))
    vendor = {name: UPLOT_DIST / name for name in UPLOT_FILES}
    app.router.add_get("/vendor/uplot/{name}", file_handler(vendor))
