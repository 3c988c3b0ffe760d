"""The live page during a structured workout, in a real Chromium against the real stack: a
manual ERG target holds (and is shown) until the next step begins, then the workout's target
is in force again; the intensity control scales it. The ride clock is driven by sample
envelopes published as a bridge would, so each step begins when the test says."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from dashboard_harness import DESKTOP, RunningApi, sign_up_with_an_athlete
from pipeline_helpers import eventually, sample_envelope
from playwright.async_api import Browser, Page, expect

from adapters.eventstore import WattlogStore
from adapters.simulation.publisher import EnvelopePublisher

# 30 s at 100 W, then 150 W.
WORKOUT_ERG = """[COURSE HEADER]
DESCRIPTION = Manual override
MINUTES WATTS
[END COURSE HEADER]
[COURSE DATA]
0.0 100
0.5 100
0.5 150
5.0 150
[END COURSE DATA]
"""


async def sign_up_with_a_bridge(page: Page, base: str) -> str:
    """A new account with an athlete (FTP 250 W) and a desktop bridge; its client id."""
    await sign_up_with_an_athlete(page, base, "rider")
    await page.goto(f"{base}/bridges")
    await page.get_by_label("Name").fill("Trainer laptop")
    await page.get_by_role("button", name="Register").click()
    await expect(page.locator("#bridge-secret")).to_be_visible()
    client_id = await page.inner_text("#secret-client-id")
    await page.get_by_role("button", name="Done").click()
    return client_id


@pytest.mark.timeout(300)
async def test_the_live_page_shows_the_target_in_force_after_a_manual_target_and_the_next_step(
    stack: RunningApi,
    browser: Browser,
    store: WattlogStore,
    publisher: EnvelopePublisher,
    bridge_users: list[str],
    tmp_path: Path,
) -> None:
    base = stack.base_url
    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    client_id = await sign_up_with_a_bridge(page, base)
    bridge_users.append(client_id)

    workout = tmp_path / "manual-override.erg"
    workout.write_text(WORKOUT_ERG)
    await page.goto(f"{base}/live")
    await page.locator("#start-workout").set_input_files(workout)
    await page.get_by_role("button", name="Start ride").click()
    await expect(page.locator("#connection-status")).to_have_text("Live", timeout=15_000)
    session_id = uuid.UUID(page.url.split("session=")[1])
    t0 = time.time()

    async def ride_to(second: int) -> None:
        """Samples (4 a second) up to ride time ``second``, stored before it returns."""
        done = store.repository.get(session_id).sample_count // 4
        for start in range(done, second, 5):
            seqs = range(start * 4, min(second, start + 5) * 4)
            await publisher.publish(sample_envelope(client_id, seqs, t0=t0))
        await eventually(lambda: store.repository.get(session_id).sample_count == second * 4)

    target, source, watts = (
        page.locator("#target-status"),
        page.locator("#target-source"),
        page.get_by_label("ERG target", exact=True),
    )
    await ride_to(5)
    await expect(target).to_contain_text("ERG 100 W", timeout=15_000)
    await expect(source).to_have_text("Workout target · intensity 100 %")
    await expect(watts).to_have_value("100")

    # A manual target in the first step holds while the step lasts.
    await watts.fill("200")
    await page.locator("#erg-set").click()
    await expect(target).to_contain_text("ERG 200 W")
    await expect(source).to_have_text("Your target · holds until the next step", timeout=15_000)
    await expect(page.get_by_role("button", name="Resume workout")).to_be_visible()
    await ride_to(25)
    assert store.repository.get(session_id).target_in_force == ("target_power", 200.0, "rider")
    await expect(target).to_contain_text("ERG 200 W")
    await expect(watts).to_have_value("200")

    # The next step begins at 30 s: the workout's target is in force again, and shown.
    await ride_to(35)
    await expect(target).to_contain_text("ERG 150 W", timeout=15_000)
    await expect(source).to_have_text("Workout target · intensity 100 %")
    await expect(watts).to_have_value("150")
    await expect(page.get_by_role("button", name="Resume workout")).to_be_hidden()

    # The intensity scales the workout's target: 95 % of 150 W.
    await page.get_by_role("button", name="Lower the workout intensity by 5 %").click()
    await expect(source).to_have_text("Workout target · intensity 95 %")
    await ride_to(37)
    await expect(target).to_contain_text("ERG 143 W", timeout=15_000)
    await expect(watts).to_have_value("143")
    assert errors == []
    await context.close()
