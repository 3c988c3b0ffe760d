"""Driving the dashboard in a real Chromium: the browser, the API served in this process,
screenshots, and the desktop bridge started with the command the dashboard shows.

Chromium is Debian's (`ops/browser` installs it): Playwright's own browser download cannot
work on these machines, so Playwright is pointed at /usr/bin/chromium.
"""

from __future__ import annotations

import os
import shlex
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from playwright.async_api import Browser, Page, async_playwright, expect

from adapters.api.app import create_app
from adapters.settings import Settings
from adapters.web.local_server import serving

PROJECT_ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS_VARIABLE = "WATTLOG_SCREENSHOTS"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "pedal-harder-every-tuesday"  # every account the browser tests sign up


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class RunningApi:
    app: web.Application
    base_url: str


@asynccontextmanager
async def api_server(settings: Settings) -> AsyncIterator[RunningApi]:
    """`create_app` on a free port of 127.0.0.1, as `wattlog api` serves it."""
    app = create_app(settings)
    async with serving(app, shutdown_timeout=5.0) as base_url:
        yield RunningApi(app, base_url)


class Screenshots:
    """Full-page PNGs of each page: under $WATTLOG_SCREENSHOTS (relative to the project
    root) when it is set, e.g. `WATTLOG_SCREENSHOTS=docs/screenshots`, else in a temporary
    folder (taken all the same, so that a page that cannot render fails the test)."""

    def __init__(self, fallback: Path) -> None:
        chosen = os.environ.get(SCREENSHOTS_VARIABLE)
        self.folder = (PROJECT_ROOT / chosen) if chosen else fallback
        self.folder.mkdir(parents=True, exist_ok=True)
        self.taken: list[Path] = []

    async def take(self, page: Page, name: str, *, full_page: bool = True) -> Path:
        path = self.folder / f"{name}.png"
        await page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        self.taken.append(path)
        return path


async def sign_up(page: Page, base: str, email_prefix: str) -> str:
    """A new account through the register form, `<email_prefix>-<random>@example.com` with
    PASSWORD; its email. The page is left on Settings, welcomed, without an athlete."""
    email = f"{email_prefix}-{uuid.uuid4().hex[:10]}@example.com"
    await page.goto(f"{base}/register")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await page.wait_for_url("**/settings?welcome=1")
    return email


async def create_athlete(
    page: Page, *, ftp_w: int = 250, threshold_hr_bpm: int | None = None
) -> uuid.UUID:
    """Creates the athlete (Ada Rider, 68 kg) on the Settings page; its id."""
    await page.get_by_label("Name").fill("Ada Rider")
    await page.get_by_label("FTP (W)").fill(str(ftp_w))
    await page.get_by_label("Weight (kg)").fill("68")
    if threshold_hr_bpm is not None:
        await page.get_by_label("Threshold heart rate (bpm)").fill(str(threshold_hr_bpm))
    await page.get_by_role("button", name="Create profile").click()
    await expect(page.locator("#profile-saved")).to_contain_text("Profile created")
    return uuid.UUID(await page.evaluate("localStorage.getItem('wattlog.athlete')"))


async def sign_up_with_an_athlete(
    page: Page,
    base: str,
    email_prefix: str,
    *,
    ftp_w: int = 250,
    threshold_hr_bpm: int | None = None,
) -> uuid.UUID:
    """`sign_up`, then `create_athlete`; the athlete's id."""
    await sign_up(page, base, email_prefix)
    return await create_athlete(page, ftp_w=ftp_w, threshold_hr_bpm=threshold_hr_bpm)


@dataclass(frozen=True)
class BridgeCommand:
    """The command line the bridges page shows after a registration, ready to run."""

    env: dict[str, str]
    argv: list[str]

    @classmethod
    def parse(cls, shown: str, data_dir: Path) -> BridgeCommand:
        words = shlex.split(shown)
        env: dict[str, str] = {}
        while words and "=" in words[0] and not words[0].startswith("-"):
            name, _, value = words.pop(0).partition("=")
            env[name] = value
        if words[:2] != ["wattlog", "bridge"]:
            raise AssertionError(f"not a bridge command: {shown!r}")
        argv = [*words[1:], "--simulate", "--simulate-radio", "direct"]
        argv += ["--data-dir", str(data_dir), "--status", "log"]
        return cls(env, argv)

    def process_env(self) -> dict[str, str]:
        return {**os.environ, "WATTLOG_ENV": "test", **self.env}

    @property
    def python_argv(self) -> list[str]:
        return [sys.executable, "-m", "adapters.cli", *self.argv]
