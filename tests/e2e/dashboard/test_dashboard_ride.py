"""The dashboard in a real Chromium against the real stack, from a new account to a replay:
register, create the athlete, register a bridge and start it with the command shown, ride
(live numbers, a dropped socket, an ERG target the simulated trainer follows, a lap),
finish, find the ride in history with its figures, open it, replay it at 10x to the end,
revoke the bridge. Every page is photographed on the way."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from dashboard_harness import (
    DESKTOP,
    PHONE,
    BridgeCommand,
    RunningApi,
    Screenshots,
    sign_up_with_an_athlete,
)
from playwright.async_api import Browser, Page, expect
from processes import WattlogProcess

from adapters.api.keys import OPEN_SOCKETS

ERG_TARGET_W = 300
NO_VALUE = "\u2013"  # the en dash the dashboard shows for a missing value


async def number_in(page: Page, selector: str) -> float | None:
    text = (await page.inner_text(selector)).replace(",", "")
    return None if text.strip() == NO_VALUE else float(text)


def seconds(clock: str) -> int:
    """Seconds in a duration as the dashboard shows it: 1:02:03, 12:34 or 0:05."""
    total = 0
    for part in clock.split(":"):
        total = total * 60 + int(part)
    return total


async def until(check: Callable[[], Awaitable[bool]], within_s: float, what: str) -> None:
    deadline = time.monotonic() + within_s
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {within_s} s")
        await asyncio.sleep(0.25)


async def register_and_create_athlete(page: Page, base: str, shots: Screenshots) -> None:
    await page.goto(f"{base}/register")
    await shots.take(page, "register")
    await sign_up_with_an_athlete(page, base, "rider", threshold_hr_bpm=165)
    await expect(page.locator("#zones-table")).to_contain_text("138 W")  # 55 % of 250 W
    # CP and W' from today: the ride below is summarised with them.
    await page.get_by_label("CP (W)").fill("240")
    await page.get_by_label("W\u2032 (kJ)").fill("18")
    await page.get_by_role("button", name="Save CP and W\u2032").click()
    await expect(page.locator("#cp-history")).to_contain_text("CP 240 W, W\u2032 18.0 kJ from")
    await shots.take(page, "settings")


async def register_bridge(page: Page, base: str, shots: Screenshots) -> tuple[str, str]:
    await page.goto(f"{base}/bridges")
    await page.get_by_label("Name").fill("Pain cave laptop")
    await page.get_by_role("button", name="Register").click()
    secret = page.locator("#bridge-secret")
    await expect(secret).to_be_visible()
    await expect(secret).to_contain_text("shown only this once")
    client_id = await page.inner_text("#secret-client-id")
    command = await page.inner_text("#secret-command")
    assert await page.inner_text("#secret-password") in command
    await expect(page.locator("#bridges-body")).to_contain_text("Pain cave laptop")
    # The pictures are committed: the password (of a test account) is blotted out first.
    await page.evaluate(
        """(password) => {
            for (const id of ["secret-password", "secret-command"]) {
                const node = document.getElementById(id);
                node.textContent = node.textContent.replace(password, "•".repeat(12));
            }
        }""",
        await page.inner_text("#secret-password"),
    )
    await shots.take(page, "bridges")
    await page.get_by_role("button", name="Done").click()
    await expect(page.locator("#secret-password")).to_have_text("")
    return client_id, command


async def ride(page: Page, stack: RunningApi, shots: Screenshots) -> None:
    base = stack.base_url
    await page.goto(f"{base}/live")
    await page.get_by_role("button", name="Start ride").click()
    await expect(page.locator("#connection-status")).to_have_text("Live", timeout=15_000)
    await expect(page.locator("#bridge-status")).to_have_text("Bridge: Pain cave laptop · desktop")

    # Live numbers arrive and change.
    await expect(page.locator("#metric-power")).not_to_have_text(NO_VALUE, timeout=30_000)
    await expect(page.locator("#metric-hr")).not_to_have_text(NO_VALUE, timeout=15_000)
    await expect(page.locator("#sensor-status")).to_contain_text("trainer: ok")
    first = await page.inner_text("#metric-elapsed"), await page.inner_text("#metric-power")

    async def changed() -> bool:
        now = await page.inner_text("#metric-elapsed"), await page.inner_text("#metric-power")
        return now[0] != first[0] and now[1] != first[1]

    await until(changed, 20, "live power and elapsed time change")

    # A dropped socket: the page reconnects on its own and the numbers go on.
    await stack.app[OPEN_SOCKETS].close_all()
    await expect(page.locator("#connection-status")).to_contain_text(
        "Connection lost", timeout=5_000
    )
    await expect(page.locator("#connection-status")).to_have_text("Live", timeout=20_000)
    before = await page.inner_text("#metric-elapsed")
    await expect(page.locator("#metric-elapsed")).not_to_have_text(before, timeout=5_000)

    # Slope, then pause and resume.
    await page.get_by_label("Slope", exact=True).fill("2.5")
    await page.locator("#slope-set").click()
    await expect(page.locator("#command-status")).to_have_text("Slope 2.5 % sent")
    await expect(page.locator("#target-status")).to_contain_text("Slope 2.5 %")
    await page.get_by_role("button", name="Pause", exact=True).click()
    await expect(page.locator("#session-status")).to_have_text("Paused")
    await page.get_by_role("button", name="Resume", exact=True).click()
    await expect(page.locator("#session-status")).to_have_text("Riding")

    # An ERG target: the simulated trainer follows it.
    await page.get_by_label("ERG target", exact=True).fill(str(ERG_TARGET_W))
    await page.locator("#erg-set").click()
    await expect(page.locator("#command-status")).to_contain_text(f"{ERG_TARGET_W} W sent")
    await expect(page.locator("#target-status")).to_contain_text(f"ERG {ERG_TARGET_W} W")
    steady: list[float] = []

    async def following() -> bool:
        watts = await number_in(page, "#metric-power")
        steady.append(watts if watts is not None else 0.0)
        return len(steady) >= 8 and all(abs(w - ERG_TARGET_W) <= 15 for w in steady[-8:])

    await until(following, 45, f"the trainer holding {ERG_TARGET_W} W for 2 s")
    await page.get_by_role("button", name="Lap", exact=True).click()
    await expect(page.locator("#command-status")).to_have_text("Lap 1 marked")

    async def a_minute_ridden() -> bool:
        return seconds(await page.inner_text("#metric-elapsed")) >= 60

    await until(a_minute_ridden, 90, "a minute of riding")  # enough for NP's 30 s average
    await shots.take(page, "live", full_page=False)
    await page.set_viewport_size(PHONE)
    await shots.take(page, "live-phone")
    await page.set_viewport_size(DESKTOP)

    await page.get_by_role("button", name="Finish", exact=True).click()
    await page.get_by_role("button", name="Finish ride").click()
    await expect(page.locator("#finished-panel")).to_be_visible()


async def find_in_history(page: Page, base: str, shots: Screenshots) -> None:
    await page.goto(f"{base}/history")
    row = page.locator("#rides-body tr").first
    await expect(row).to_have_attribute("data-status", "finished")
    # The figures appear once the projectors have summarised the ride.
    await expect(row.locator("td.np")).to_have_text(re.compile(r"^\d+ W$"), timeout=60_000)
    await expect(row.locator("td.tss")).to_have_text(re.compile(r"^\d+$"))
    cells = await row.locator("td").all_inner_texts()
    assert re.fullmatch(r"\d+:\d\d", cells[0]), cells  # duration
    assert cells[1].endswith(" km"), cells
    await shots.take(page, "history")
    await row.get_by_role("link").click()
    await page.wait_for_url("**/rides/*")


async def check_detail(page: Page, shots: Screenshots) -> None:
    summary = page.locator("#ride-summary")
    await expect(summary.locator("[data-figure=normalized_power_w] dd")).to_have_text(
        re.compile(r"^\d+ W$")
    )
    await expect(summary.locator("[data-figure=tss] dd")).to_have_text(re.compile(r"^\d+$"))
    # The CP and W' set in the settings before the ride.
    await expect(summary.locator("[data-figure=xpower_w] dd")).to_have_text(re.compile(r"^\d+ W$"))
    await expect(summary.locator("[data-figure=cp_w] dd")).to_have_text("240 W")
    await expect(summary.locator("[data-figure=w_prime_j] dd")).to_have_text("18.0 kJ")
    await expect(summary.locator("[data-figure=wprime_expended_kj] dd")).to_have_text(
        re.compile(r"^\d+\.\d kJ$")
    )
    await expect(page.locator("#power-zones table")).to_contain_text("Z4 Lactate threshold")
    await expect(page.locator("#laps")).to_contain_text("Lap 2")
    await expect(page.locator("#curve-chart canvas")).to_have_count(1)
    await expect(page.locator("#wbal-chart canvas")).to_have_count(1)
    # The ERG target set during the ride, from the command events, under the power line;
    # the pause breaks the lines.
    chart = await page.evaluate(
        """() => {
            const chart = document.querySelector("#series-chart").wattlogChart;
            return {labels: chart.series.map((s) => s.label), data: chart.data};
        }"""
    )
    assert chart["labels"][-1] == "Power" and "ERG target" in chart["labels"]
    target = chart["data"][chart["labels"].index("ERG target")]
    assert ERG_TARGET_W in target
    x, power = chart["data"][0], chart["data"][-1]
    assert any(power[k] is None and x[k] - x[k - 1] == 1 for k in range(1, len(x)))
    await page.wait_for_timeout(500)
    await shots.take(page, "ride")


async def replay_to_the_end(page: Page, shots: Screenshots) -> None:
    await page.get_by_role("link", name="Replay").click()
    await page.wait_for_url("**/replay")
    await page.get_by_label("Speed", exact=True).select_option("10")
    play = page.get_by_role("button", name="Play", exact=True)
    await expect(play).to_be_enabled(timeout=15_000)
    await play.click()
    await expect(page.locator("#replay-state")).to_have_text("Playing at 10\u00d7")
    await expect(page.locator("#metric-power")).not_to_have_text(NO_VALUE, timeout=10_000)

    async def halfway() -> bool:
        position, total = (await page.inner_text("#replay-position")).split(" / ")
        return seconds(position) >= seconds(total) / 2

    await until(halfway, 20, "the replay half-way")
    await shots.take(page, "replay", full_page=False)
    position, total = (await page.inner_text("#replay-position")).split(" / ")
    assert seconds(position) < seconds(total)
    await expect(page.locator("#replay-state")).to_have_text("Replay finished", timeout=60_000)
    position, total = (await page.inner_text("#replay-position")).split(" / ")
    assert position == total
    await expect(page.locator("#session-status")).to_have_text("Finished")


async def revoke_bridge(page: Page, base: str) -> None:
    await page.goto(f"{base}/bridges")
    await page.get_by_role("button", name="Revoke Pain cave laptop").click()
    await page.locator("#revoke-confirm").click()
    await expect(page.locator("#bridges-empty")).to_be_visible()


@pytest.mark.timeout(600)
async def test_a_new_rider_rides_then_finds_and_replays_the_ride(
    stack: RunningApi,
    browser: Browser,
    screenshots: Screenshots,
    bridge_users: list[str],
    tmp_path: Path,
) -> None:
    base = stack.base_url
    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    await register_and_create_athlete(page, base, screenshots)
    client_id, command = await register_bridge(page, base, screenshots)
    bridge_users.append(client_id)

    bridge = BridgeCommand.parse(command, tmp_path / "bridge")
    process = WattlogProcess(bridge.argv, bridge.process_env(), tmp_path / "bridge.log").start()
    try:
        await ride(page, stack, screenshots)
    finally:
        process.stop()
    await find_in_history(page, base, screenshots)
    await check_detail(page, screenshots)
    await replay_to_the_end(page, screenshots)

    await page.goto(f"{base}/analytics")
    await expect(page.locator("#fitness-chart")).not_to_be_empty()
    await screenshots.take(page, "analytics")
    await revoke_bridge(page, base)

    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url("**/signin")
    await screenshots.take(page, "signin")
    assert errors == []
    await context.close()
