"""The analytics page's "Time in zones per week" table stays inside its card on a desktop
(1280 px) and on a phone (390 px), with a ride in every power and heart-rate zone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from dashboard_harness import (
    DESKTOP,
    PHONE,
    RunningApi,
    Screenshots,
    api_server,
    sign_up_with_an_athlete,
)
from pipeline_helpers import project_all
from playwright.async_api import Browser, Page, expect

from adapters.eventstore import WattlogStore
from adapters.settings import Settings
from domain.sessions import WorkoutSession

POWER_BY_ZONE = (100, 160, 210, 245, 285, 340, 420)  # Z1..Z7 of an FTP of 250 W
HR_BY_ZONE = (100, 125, 145, 160, 180)  # Z1..Z5 of a threshold heart rate of 165 bpm
BLOCK_S = 17 * 60

# Every cell of the table whose right edge is past its card's (none when it fits).
STICKING_OUT = """() => {
    const card = document.querySelector("#zones-weeks").closest(".card");
    const edge = card.getBoundingClientRect().right;
    return [...card.querySelectorAll("table th, table td")]
        .filter((cell) => cell.getBoundingClientRect().right > edge + 0.5)
        .map((cell) => `${cell.textContent} ${Math.round(cell.getBoundingClientRect().right)}`
            + ` > ${Math.round(edge)}`);
}"""


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[RunningApi]:
    async with api_server(settings) as running:
        yield running


async def new_rider(browser: Browser, base: str) -> tuple[Page, UUID]:
    page = await (await browser.new_context(viewport=DESKTOP, locale="en-GB")).new_page()
    return page, await sign_up_with_an_athlete(page, base, "zones", threshold_hr_bpm=165)


def ride_through_every_zone(store: WattlogStore, athlete_id: UUID) -> None:
    """Two hours in blocks of 17 minutes, each in the next power and heart-rate zone."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1, hours=3)
    session = WorkoutSession.start(
        athlete_id=athlete_id,
        owner_id=uuid4(),
        client_id=f"test-{uuid4().hex[:8]}",
        ftp_w=250,
        transport="import",
        started_at=start,
    )
    t0 = start.timestamp()
    for second in range(len(POWER_BY_ZONE) * BLOCK_S):
        block = second // BLOCK_S
        values = {
            "power_w": float(POWER_BY_ZONE[block % len(POWER_BY_ZONE)]),
            "heart_rate_bpm": float(HR_BY_ZONE[block % len(HR_BY_ZONE)]),
        }
        session.record_sample(
            session.client_id, second, t0 + second, "trainer", "test", b"", values, imported=True
        )
    session.finish()
    store.save(session)


@pytest.mark.timeout(300)
async def test_the_time_in_zones_table_stays_inside_its_card(
    api: RunningApi,
    browser: Browser,
    store: WattlogStore,
    settings: Settings,
    screenshots: Screenshots,
) -> None:
    page, athlete_id = await new_rider(browser, api.base_url)
    ride_through_every_zone(store, athlete_id)
    await project_all(store, settings)

    await page.goto(f"{api.base_url}/analytics")
    row = page.locator("#zones-weeks tbody tr")
    await expect(row).to_have_count(1)
    await expect(row.locator("td").nth(0)).to_contain_text("Z7")
    await expect(row.locator("td").nth(1)).to_contain_text("Z5")
    for viewport in (DESKTOP, PHONE):
        await page.set_viewport_size(viewport)
        assert await page.evaluate(STICKING_OUT) == [], viewport
    await page.set_viewport_size(DESKTOP)
    await screenshots.take(page, "analytics-zones")
    await page.context.close()
