"""A 6.5-hour ride with long stops (the ELEMNT file), uploaded and projected by the real
stack, on the ride page: smoothing, breaks at the stops, the W' balance under the power
chart; and every page of the dashboard fitting a 390 px phone without sideways scrolling."""

from __future__ import annotations

import json
import re
from pathlib import Path

import aiohttp
import pytest
from dashboard_harness import PHONE, RunningApi, Screenshots, sign_up_with_an_athlete
from playwright.async_api import Browser, Page, expect

FIT = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "fit"
LONG_RIDE = FIT / "2019-02-17-062644-ELEMNT-297E-195-0.fit"


async def upload(page: Page, base: str, data: bytes) -> str:
    """The ride through `POST /api/athletes/{id}/rides` with the page's own access token."""
    tokens = json.loads(await page.evaluate("localStorage.getItem('wattlog.auth')"))
    headers = {"Authorization": f"Bearer {tokens['access']}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.get(f"{base}/api/athletes") as reply:
            athletes = await reply.json()
        athlete = (athletes["athletes"] if isinstance(athletes, dict) else athletes)[0]
        async with http.post(
            f"{base}/api/athletes/{athlete['id']}/rides",
            data=data,
            headers={"Content-Type": "application/octet-stream"},
        ) as reply:
            assert reply.status == 201, await reply.text()
            return str((await reply.json())["session_id"])


async def scroll_width(page: Page) -> int:
    return int(await page.evaluate("document.scrollingElement.scrollWidth"))


async def fits(page: Page) -> str | None:
    """None when the page fits the phone's width; else the elements sticking out."""
    if await scroll_width(page) <= PHONE["width"]:
        return None
    return str(
        await page.evaluate(
            """(width) => [...document.querySelectorAll("body *")]
                .filter((node) => node.getBoundingClientRect().right > width)
                .map((node) => `${node.tagName.toLowerCase()}#${node.id}.${node.className}`
                    + ` ${Math.round(node.getBoundingClientRect().right)}`)
                .slice(0, 12)""",
            PHONE["width"],
        )
    )


async def drawn(page: Page, container: str) -> dict[str, object]:
    """What the chart in `container` holds: its series' labels and the points of each."""
    return dict(
        await page.evaluate(
            """(selector) => {
                const chart = document.querySelector(selector).wattlogChart;
                return {labels: chart.series.map((s) => s.label), data: chart.data};
            }""",
            container,
        )
    )


@pytest.mark.timeout(300)
async def test_a_long_ride_reads_on_a_phone_and_every_page_fits_390_px(
    stack: RunningApi, browser: Browser, screenshots: Screenshots
) -> None:
    base = stack.base_url
    context = await browser.new_context(viewport=PHONE, locale="en-GB")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    await page.goto(f"{base}/register")
    assert await scroll_width(page) <= PHONE["width"], "/register"
    await sign_up_with_an_athlete(page, base, "phone", threshold_hr_bpm=165)
    session_id = await upload(page, base, LONG_RIDE.read_bytes())

    await page.goto(f"{base}/rides/{session_id}")
    # The figures and the charts appear once the projectors have the ride.
    wbal_canvas = page.locator("#wbal-chart canvas")
    await expect(wbal_canvas).to_have_count(1, timeout=90_000)
    await expect(page.locator("#series-smoothing")).to_have_value("10")  # over an hour
    chart = await drawn(page, "#series-chart")
    assert chart["labels"] == ["Time", "Heart rate", "Cadence", "Speed", "Power"]
    x, *columns = chart["data"]  # type: ignore[misc]
    power = columns[-1]
    breaks = [k for k in range(1, len(x)) if power[k] is None and x[k + 1] - x[k] > 3]
    assert len(breaks) >= 5, "the ELEMNT ride stops many times"
    assert all(column[k] is None for column in columns for k in breaks)
    smoothed = [w for w in power if w is not None]
    await page.set_viewport_size({"width": 1280, "height": 900})
    await expect(page.locator("#series-chart canvas")).to_have_count(1)
    await screenshots.take(page, "ride-long")
    await page.set_viewport_size(PHONE)
    await page.get_by_label("Smoothing").select_option("1")
    raw = [w for w in (await drawn(page, "#series-chart"))["data"][-1] if w is not None]  # type: ignore[index]
    assert len(raw) == len(smoothed) and raw != smoothed
    assert max(raw) > max(smoothed)  # the 1 s peaks come back
    wbal = await drawn(page, "#wbal-chart")
    assert wbal["labels"] == ["Time", "W\u2032 balance"]
    lowest = await page.inner_text("[data-figure=wbal_min_j] dd")
    kj = [v for v in wbal["data"][1] if v is not None]  # type: ignore[index]
    assert lowest == f"{min(kj):.1f} kJ"

    pages = [
        "/live",
        "/history",
        f"/rides/{session_id}",
        f"/rides/{session_id}/replay",
        "/analytics",
        "/bridges",
        "/settings",
    ]
    for path in pages:
        await page.goto(f"{base}{path}")
        await page.wait_for_load_state("networkidle")
        if path == f"/rides/{session_id}":
            await expect(wbal_canvas).to_have_count(1)
        assert await fits(page) is None, f"{path}: {await fits(page)}"
        # The menu: one row, every entry in sight.
        for entry in await page.locator("nav.menu a").all():
            await expect(entry).to_be_in_viewport(ratio=1)
        tops = {
            round((await entry.bounding_box() or {"y": -1})["y"])
            for entry in await page.locator("nav.menu a").all()
        }
        assert len(tops) == 1, f"{path}: the menu wraps"
    await page.goto(f"{base}/history")
    row = page.locator("#rides-body tr").first
    await expect(row.locator(".tss")).to_have_text(re.compile(r"^\d+$"))
    for cell in await row.locator("th, td").all():  # every column in sight, no hidden scroll
        await expect(cell).to_be_in_viewport(ratio=1)
    assert await scroll_width(page) <= PHONE["width"]
    await screenshots.take(page, "history-phone")
    await page.goto(f"{base}/rides/{session_id}")
    await expect(wbal_canvas).to_have_count(1, timeout=30_000)
    assert await scroll_width(page) <= PHONE["width"]
    await screenshots.take(page, "ride-phone")
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url("**/signin")
    assert await scroll_width(page) <= PHONE["width"], "/signin"
    assert errors == []
    await context.close()
