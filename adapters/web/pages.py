"""The dashboard's pages: server-provided HTML (a shared layout around one fragment per page)
with one ES module each. Pages hold no user data: each module fetches what it shows from
the API with the signed-in user's token, so the HTML is the same for everyone and public.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template

from aiohttp import web

from adapters.http.validation import path_uuid

TEMPLATES = Path(__file__).resolve().parent / "templates"

# Scripts, styles and sockets of this origin only: no inline code for an injection to use.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "object-src 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}


@dataclass(frozen=True)
class Page:
    path: str
    name: str  # the template fragment and the module: templates/<name>.html, static/page-<name>.js
    title: str
    nav: str | None = None  # the menu entry shown as current
    signed_in: bool = True  # shows the menu


NAV: tuple[tuple[str, str, str], ...] = (
    ("live", "/live", "Live"),
    ("history", "/history", "History"),
    ("analytics", "/analytics", "Analytics"),
    ("bridges", "/bridges", "Bridges"),
    ("settings", "/settings", "Settings"),
)

PAGES: tuple[Page, ...] = (
    Page("/", "live", "Live ride", nav="live"),
    Page("/signin", "signin", "Sign in", signed_in=False),
    Page("/register", "register", "Create an account", signed_in=False),
    Page("/live", "live", "Live ride", nav="live"),
    Page("/history", "history", "History", nav="history"),
    Page("/rides/{session_id}", "ride", "Ride", nav="history"),
    Page("/rides/{session_id}/replay", "replay", "Replay", nav="history"),
    Page("/analytics", "analytics", "Analytics", nav="analytics"),
    Page("/bridges", "bridges", "Bridges", nav="bridges"),
    Page("/settings", "settings", "Athlete settings", nav="settings"),
)


def _nav(current: str | None) -> str:
    links = []
    for key, href, label in NAV:
        attributes = ' aria-current="page"' if key == current else ""
        links.append(f'<li><a href="{href}"{attributes}>{label}</a></li>')
    return '<nav class="menu" aria-label="Main"><ul>' + "".join(links) + "</ul></nav>"


def render(page: Page) -> str:
    layout = Template((TEMPLATES / "layout.html").read_text(encoding="utf-8"))
    fragment = (TEMPLATES / f"{page.name}.html").read_text(encoding="utf-8")
    return layout.substitute(
        title=html.escape(page.title),
        page=page.name,
        script=f"/static/page-{page.name}.js",
        nav=_nav(page.nav) if page.signed_in else "",
        account=('<div class="account" id="account" hidden></div>' if page.signed_in else ""),
        main=fragment,
    )


def page_handler(page: Page) -> Callable[[web.Request], Awaitable[web.Response]]:
    body = render(page)  # rendered once, at start-up

    async def handler(request: web.Request) -> web.Response:
        if "session_id" in request.match_info:
            path_uuid(request, "session_id", "session")  # a malformed id names no ride
        return web.Response(
            text=body, content_type="text/html", charset="utf-8", headers=PAGE_HEADERS
        )

    return handler


def setup(app: web.Application) -> None:
    for page in PAGES:
        app.router.add_get(page.path, page_handler(page))
