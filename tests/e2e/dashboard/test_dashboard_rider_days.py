"""Analytics in the rider's days, in a real Chromium set to the rider's zone (issue 15): the
profile takes the browser's time zone, last evening's ride is on yesterday's point of the
fitness line and in that week's bar, a zone change in Settings moves it, and "All time"
and a custom range show imported rides from years ago."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import psycopg
import pytest
from dashboard_harness import (
    DESKTOP,
    RunningApi,
    Screenshots,
    api_server,
    create_athlete,
    sign_up,
)
from pipeline_helpers import project_all
from playwright.async_api import Browser, Page, expect

from adapters.eventstore import WattlogStore
from adapters.importers.service import import_ride
from adapters.settings import Settings
from domain.sessions import WorkoutSession

FIT = Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "fit"
EDGE = FIT / "Edge810-Vector-2013-08-16-15-35-10.fit"
LA, SYDNEY = "America/Los_Angeles", "Australia/Sydney"
SHOWN = re.compile(r"\d{4}-\d\d-\d\d\.\.\d{4}-\d\d-\d\d")  # the range the charts show
CTL_COLOR, LOAD_COLOR = (0x1C, 0x7E, 0xD6), (0x4C, 0x6E, 0xF5)  # COLORS in charts.js

# What the charts hold and where uPlot put it, read from the chart objects themselves.
DRAWN = """([selector, color]) => {
    const u = document.querySelector(selector).wattlogChart;
    const {left, top, width, height} = u.bbox;
    const pixels = u.ctx.getImageData(0, 0, u.ctx.canvas.width, u.ctx.canvas.height).data;
    let painted = 0;
    for (let i = 0; i < pixels.length; i += 4) {
        const near = Math.abs(pixels[i] - color[0]) + Math.abs(pixels[i + 1] - color[1])
            + Math.abs(pixels[i + 2] - color[2]);
        if (pixels[i + 3] > 200 && near < 24) painted += 1;
    }
    const inside = u.data[0].every((x, i) => {
        const px = u.valToPos(x, "x", true), py = u.valToPos(u.data[1][i], "y", true);
        return px >= left && px <= left + width && py >= top && py <= top + height;
    });
    return {x: Array.from(u.data[0]), y: Array.from(u.data[1]), inside, painted};
}"""


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[RunningApi]:
    async with api_server(settings) as running:
        yield running


def ride(store: WattlogStore, athlete_id: UUID, start: datetime, minutes: int) -> None:
    """A ride at a steady 220 W recorded from ``start`` (saved as a ride file would be)."""
    session = WorkoutSession.start(
        athlete_id=athlete_id,
        owner_id=uuid4(),
        client_id=f"test-{uuid4().hex[:8]}",
        ftp_w=250,
        transport="import",
        started_at=start,
    )
    t0 = start.timestamp()
    for second in range(minutes * 60):
        session.record_sample(
            session.client_id, second, t0 + second, "trainer", "test", b"", {"power_w": 220.0},
            imported=True,
        )  # fmt: skip
    session.finish()
    store.save(session)


def epoch_day(day: date) -> int:
    return (day - date(1970, 1, 1)).days * 86_400


async def new_rider(browser: Browser, base: str, zone: str) -> tuple[Page, UUID]:
    """Registers in a browser whose clock is in ``zone`` and creates the profile."""
    context = await browser.new_context(viewport=DESKTOP, timezone_id=zone)
    page = await context.new_page()
    await sign_up(page, base, "rider")
    await expect(page.get_by_label("Time zone")).to_have_value(zone)  # the browser's
    return page, await create_athlete(page)


async def analytics(page: Page, base: str, choice: str | None = None) -> None:
    await page.goto(f"{base}/analytics")
    await expect(page.locator("body")).to_have_attribute("data-analytics-range", SHOWN)
    if choice is not None:
        await page.evaluate("delete document.body.dataset.analyticsRange")
        await page.locator("#analytics-range").select_option(choice)
        await expect(page.locator("body")).to_have_attribute("data-analytics-range", SHOWN)


async def drawn(page: Page, selector: str, color: tuple[int, int, int]) -> dict[str, Any]:
    return dict(await page.evaluate(DRAWN, [selector, list(color)]))


def ride_tss(settings: Settings, athlete_id: UUID) -> float:
    with psycopg.connect(settings.database_url) as db:
        row = db.execute(
            "SELECT sum(tss) FROM session_summaries WHERE athlete_id = %s", (athlete_id,)
        ).fetchone()
    assert row is not None and row[0] is not None
    return float(row[0])


@pytest.mark.timeout(300)
async def test_last_evenings_ride_is_on_the_californian_riders_yesterday_and_moves_with_the_zone(
    api: RunningApi,
    browser: Browser,
    store: WattlogStore,
    settings: Settings,
    screenshots: Screenshots,
) -> None:
    base = api.base_url
    page, athlete_id = await new_rider(browser, base, LA)
    yesterday = datetime.now(ZoneInfo(LA)).date() - timedelta(days=1)
    start = datetime(yesterday.year, yesterday.month, yesterday.day, 19, tzinfo=ZoneInfo(LA))
    ride(store, athlete_id, start, 45)  # 19:00 in California: already tomorrow in UTC
    await project_all(store, settings)

    before = datetime.now(ZoneInfo(LA)).date()
    await analytics(page, base)
    after = datetime.now(ZoneInfo(LA)).date()
    fitness = await drawn(page, "#fitness-chart", CTL_COLOR)
    days = [epoch_day(yesterday - timedelta(days=1)), epoch_day(yesterday)]
    assert fitness["x"][:2] == days
    assert fitness["x"][-1] in {epoch_day(before), epoch_day(after)}
    ctl = fitness["y"]
    assert ctl[0] == 0 and ctl[1] > 0 and all(b < a for a, b in itertools.pairwise(ctl[1:]))
    assert fitness["inside"] and fitness["painted"] > 10, fitness
    tss = ride_tss(settings, athlete_id)
    load = await drawn(page, "#load-chart", LOAD_COLOR)
    monday = yesterday - timedelta(days=yesterday.weekday())
    assert load["x"] == [epoch_day(monday)]
    assert load["y"] == [pytest.approx(tss, rel=1e-9)]
    assert load["inside"] and load["painted"] > 10, load
    first_week = page.locator("#load-table tbody tr").first
    await expect(first_week.locator("td").nth(0)).to_have_text("1")
    await expect(first_week.locator("td").nth(3)).to_have_text(f"{round(tss)}")
    await screenshots.take(page, "analytics-rider-days")

    # Moving to Sydney: the same ride is on its day there (19:00 PDT is noon next day AEST).
    await page.goto(f"{base}/settings")
    await page.get_by_label("Time zone").select_option(SYDNEY)
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.locator("#profile-saved")).to_have_text("Saved.")
    await project_all(store, settings)
    await analytics(page, base)
    sydney_day = start.astimezone(ZoneInfo(SYDNEY)).date()
    moved = await drawn(page, "#fitness-chart", CTL_COLOR)
    assert moved["x"][:2] == [epoch_day(sydney_day - timedelta(days=1)), epoch_day(sydney_day)]
    assert moved["y"][0] == 0 and moved["y"][1] > 0
    await page.context.close()


@pytest.mark.timeout(300)
async def test_all_time_and_a_custom_range_show_a_ride_imported_from_2013(
    api: RunningApi, browser: Browser, store: WattlogStore, settings: Settings
) -> None:
    base = api.base_url
    page, athlete_id = await new_rider(browser, base, SYDNEY)
    await asyncio.to_thread(import_ride, store, athlete_id=athlete_id, data=EDGE.read_bytes())
    await project_all(store, settings)
    ride_day = date(2013, 8, 17)  # 18:05 UTC on the 16th is 04:05 the next morning in Sydney

    await analytics(page, base)  # the last six months: nothing
    await expect(page.locator("#load-chart")).to_contain_text("No rides in this period.")

    await analytics(page, base, "all")
    fitness = await drawn(page, "#fitness-chart", CTL_COLOR)
    assert fitness["x"][:2] == [epoch_day(ride_day - timedelta(days=1)), epoch_day(ride_day)]
    assert fitness["y"][0] == 0 and fitness["y"][1] > 0 and fitness["inside"]
    assert fitness["painted"] > 10, fitness
    load = await drawn(page, "#load-chart", LOAD_COLOR)
    assert load["x"] == [epoch_day(date(2013, 8, 12))]
    assert load["y"] == [pytest.approx(ride_tss(settings, athlete_id), rel=1e-9)]

    await page.locator("#analytics-range").select_option("custom")
    await expect(page.locator("#analytics-start")).to_be_visible()
    await page.evaluate("delete document.body.dataset.analyticsRange")
    await page.locator("#analytics-start").fill("2013-08-17")
    await expect(page.locator("body")).to_have_attribute("data-analytics-range", SHOWN)
    await page.evaluate("delete document.body.dataset.analyticsRange")
    await page.locator("#analytics-end").fill("2013-08-20")
    await expect(page.locator("body")).to_have_attribute(
        "data-analytics-range", "2013-08-17..2013-08-20"
    )
    custom = await drawn(page, "#fitness-chart", CTL_COLOR)
    assert custom["x"] == [epoch_day(ride_day + timedelta(days=k)) for k in range(4)]
    assert custom["inside"] and custom["painted"] > 10, custom
    await expect(page.locator("#best-efforts")).to_contain_text("W")
    await page.context.close()
