"""Getting your own rides in, in a real Chromium against the real stack: Settings shows the
athlete id the command line asks for, History imports several FIT files at once with a
result per file (a broken one refused with the reason, nothing stored for it), and the
imported Edge 810 ride shows its 8 laps with their power, heart rate and cadence."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

from dashboard_harness import (
    DESKTOP,
    PROJECT_ROOT,
    RunningApi,
    Screenshots,
    sign_up_with_an_athlete,
)
from playwright.async_api import Browser, Page, expect

FIT = PROJECT_ROOT.parent / "shared" / "fixtures" / "fit"
EDGE_810 = FIT / "Edge810-Vector-2013-08-16-15-35-10.fit"
TRUNCATED = FIT / "activity-unexpected-eof.fit"
UUID_TEXT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


async def athlete_ids(page: Page) -> list[str]:
    return list(
        await page.evaluate(
            """async () => {
                const { api } = await import("/static/api.js");
                return (await api("/api/athletes")).athletes.map((a) => a.id);
            }"""
        )
    )


async def projected(page: Page, ride_id: str, within_s: float = 120.0) -> None:
    """Waits until the projectors have written the ride's whole 1 s series."""
    deadline = time.monotonic() + within_s
    while not await page.evaluate(
        """async (id) => {
            const { api } = await import("/static/api.js");
            const { t } = await api(`/api/sessions/${id}/series`);
            return t.length > 0 && t.at(-1) - t[0] >= 4699;  // the file's last record
        }""",
        ride_id,
    ):
        if time.monotonic() > deadline:
            raise AssertionError(f"the ride's series was not projected within {within_s} s")
        await asyncio.sleep(0.5)


async def test_settings_shows_the_athlete_id_the_import_command_needs(
    stack: RunningApi, browser: Browser
) -> None:
    page = await (await browser.new_context(viewport=DESKTOP)).new_page()
    await sign_up_with_an_athlete(page, stack.base_url, "files", ftp_w=315)

    shown = page.locator("#athlete-id")
    await expect(shown).to_have_text(UUID_TEXT)
    assert [await shown.inner_text()] == await athlete_ids(page)
    await expect(page.locator("#athlete-id-line")).to_contain_text("--athlete-email")


async def test_history_imports_several_files_with_a_result_each_and_the_ride_shows_its_laps(
    stack: RunningApi, browser: Browser, screenshots: Screenshots, tmp_path: Path
) -> None:
    page = await (await browser.new_context(viewport=DESKTOP)).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await sign_up_with_an_athlete(page, stack.base_url, "files", ftp_w=315)
    await page.goto(f"{stack.base_url}/history")
    await expect(page.locator("#rides-empty")).to_be_visible()

    await page.get_by_label(re.compile("FIT files")).set_input_files([EDGE_810, TRUNCATED])
    await page.get_by_role("button", name="Import").click()

    await expect(page.locator("#upload-progress")).to_have_text(
        "2 files done, 1 imported.", timeout=120_000
    )
    results = page.locator("#upload-results li")
    await expect(results).to_have_count(2)
    await expect(results.nth(0)).to_have_attribute("data-result", "imported")
    await expect(results.nth(0)).to_contain_text(
        re.compile(rf"^{re.escape(EDGE_810.name)}: imported, \S+ samples, ride of ")
    )
    await expect(results.nth(1)).to_have_attribute("data-result", "refused")
    await expect(results.nth(1)).to_contain_text(f"{TRUNCATED.name}: refused: ")
    await expect(results.nth(1)).to_contain_text("truncated FIT file")
    await expect(page.locator("#rides-body tr")).to_have_count(1)  # nothing of the broken file
    await screenshots.take(page, "history-import")

    ride_link = results.nth(0).get_by_role("link")
    ride_id = (await ride_link.get_attribute("href") or "").rsplit("/", 1)[-1]
    await projected(page, ride_id)
    await ride_link.click()
    await page.wait_for_url("**/rides/*")
    await expect(page.locator("#ride-subtitle")).to_contain_text("cycling on garmin edge810")
    rows = page.locator("#laps tbody tr")
    await expect(rows).to_have_count(8, timeout=60_000)
    for index in range(8):
        cells = await rows.nth(index).locator("td").all_inner_texts()
        assert re.fullmatch(r"\d+ W", cells[2]), cells
        assert re.fullmatch(r"\d+ bpm", cells[3]), cells
        assert re.fullmatch(r"\d+ rpm", cells[4]), cells
    first = await rows.nth(1).locator("td").all_inner_texts()
    assert first[0] == "20:07"  # the second lap starts 1207 s into the ride
    await screenshots.take(page, "ride-imported-laps")
    assert errors == []
