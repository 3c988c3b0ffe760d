"""Signing in and staying signed in: a page asks for a sign-in and comes back after it, and
short-lived access tokens are refreshed by several tabs at once, and tabs that leave in the
middle of a refresh, without signing the device out (the API revokes a device whose refresh
token is used twice, unless the second use comes within its grace period)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from dashboard_harness import DESKTOP, PASSWORD, RunningApi, api_server, create_athlete, sign_up
from playwright.async_api import Browser, BrowserContext, Page, expect

from adapters.settings import Settings

# Each token lives 2 s, so every request needs a fresh one (the pages refresh 30 s early).
SHORT_TOKEN_TTL_S = 2


@pytest.fixture
async def short_token_api(settings: Settings) -> AsyncIterator[RunningApi]:
    async with api_server(settings.replace(access_token_ttl_s=SHORT_TOKEN_TTL_S)) as api:
        yield api


async def registered(browser: Browser, base: str) -> tuple[BrowserContext, Page, str]:
    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    return context, page, await sign_up(page, base, "rider")


async def stored_tokens(page: Page) -> dict[str, object]:
    return dict(json.loads(await page.evaluate("localStorage.getItem('wattlog.auth')")))


async def test_a_signed_out_visit_asks_for_a_sign_in_and_returns_to_the_page(
    short_token_api: RunningApi, browser: Browser
) -> None:
    base = short_token_api.base_url
    context, page, email = await registered(browser, base)
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url("**/signin")
    assert await page.evaluate("localStorage.getItem('wattlog.auth')") is None

    await page.goto(f"{base}/history")
    await page.wait_for_url("**/signin?next=%2Fhistory")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#signin-error")).to_have_text("the email or the password is wrong")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/history")
    await expect(page.locator("h1")).to_have_text("Create your athlete profile first")
    await context.close()


async def test_tabs_refreshing_short_lived_tokens_together_stay_signed_in(
    short_token_api: RunningApi, browser: Browser
) -> None:
    base = short_token_api.base_url
    context, first, _ = await registered(browser, base)
    await create_athlete(first)
    issued = await stored_tokens(first)
    tabs = [first, await context.new_page(), await context.new_page()]

    async def browse(tab: Page) -> None:
        for path in ("/bridges", "/history", "/settings", "/bridges"):
            await tab.goto(f"{base}{path}")
            # Signed in, data loaded. The tab leaves at once, often in the middle of a token
            # refresh whose answer it never reads: the API's grace period lets the next
            # refresh present the same token again.
            await expect(tab.locator("#account")).to_be_visible()

    await asyncio.gather(*(browse(tab) for tab in tabs))
    for tab in tabs:
        assert "/signin" not in tab.url
        await expect(tab.locator("#page-error")).to_be_hidden()
    refreshed = await stored_tokens(first)
    assert refreshed["refresh"] != issued["refresh"]  # rotated on the way
    await context.close()
