"""Replaying a long ride in a real Chromium: speeds up to 600x, "Skip pauses" jumping over
a 50-minute stop (played at 1x, only the ridden seconds take time), and the workout's steps
listed with the one at the replay's position marked."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from dashboard_harness import DESKTOP, PROJECT_ROOT, RunningApi, api_server, sign_up
from playwright.async_api import Browser, Page, expect

from adapters.services.ownership_index import IndexedStore
from adapters.settings import Settings
from domain.sessions import WorkoutSession
from domain.workouts import parse_workout

SST = PROJECT_ROOT.parent / "shared" / "fixtures" / "zwo" / "SST.zwo"
STOP_S = 3_000  # 50 minutes of silence: at 1x the replay would take that long without skipping


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[RunningApi]:
    async with api_server(settings) as running:
        yield running


@pytest.fixture
def indexed_store(settings: Settings) -> Iterator[IndexedStore]:
    store = IndexedStore(settings)
    yield store
    store.close()


async def signed_up(page: Page, base: str) -> uuid.UUID:
    await sign_up(page, base, "replay")
    stored = await page.evaluate("localStorage.getItem('wattlog.auth')")
    return uuid.UUID(json.loads(stored)["userId"])


def ride_with_a_stop(store: IndexedStore, owner: uuid.UUID) -> WorkoutSession:
    """The SST workout ridden for 10 s, a 3000 s stop, then 10 s more."""
    workout = parse_workout(SST.name, SST.read_bytes()).as_dict()
    client_id = f"replay-long-{uuid.uuid4().hex[:12]}"
    session = WorkoutSession.start(
        athlete_id=uuid.uuid4(), owner_id=owner, client_id=client_id, ftp_w=250, workout=workout
    )
    t0 = float(int(time.time()) - STOP_S - 100)
    for seq, second in enumerate([*range(10), *range(10 + STOP_S, 20 + STOP_S)]):
        values = {"power_w": 200, "cadence_rpm": 90}
        session.record_sample(client_id, seq, t0 + second, "trainer", "2ad2", b"", values)
    session.finish()
    store.save(session)
    return session


async def test_a_long_ride_replays_without_its_stop_and_shows_the_workout_steps(
    api: RunningApi, browser: Browser, indexed_store: IndexedStore, tmp_path: Path
) -> None:
    page = await (await browser.new_context(viewport=DESKTOP)).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    owner = await signed_up(page, api.base_url)
    ride = ride_with_a_stop(indexed_store, owner)

    await page.goto(f"{api.base_url}/rides/{ride.id}/replay")
    await expect(page.locator("#replay-play")).to_be_enabled()
    speeds = await page.locator("#replay-speed option").evaluate_all(
        "(options) => options.map((o) => Number(o.value))"
    )
    assert max(speeds) == 600 and {120, 300} <= set(speeds), speeds

    steps = page.locator("#workout-steps li")
    await expect(page.locator("#workout-steps-card")).to_be_visible()
    await expect(steps).to_have_count(3)
    await expect(steps.nth(0)).to_contain_text("warmup: 63\u2013188 W")  # 25-75 % of 250 W
    await expect(steps.nth(1)).to_contain_text("steady: 225 W")
    await expect(steps.nth(0)).to_have_attribute("aria-current", "step")

    await page.get_by_label("Skip pauses").check()
    await page.get_by_role("button", name="Play").click()
    # At 1x the ridden 20 s play; the stop between them is jumped over.
    await expect(page.locator("#replay-state")).to_have_text("Replay finished", timeout=90_000)
    await expect(page.locator("#replay-position")).to_contain_text("50:19 / 50:19")
    await expect(steps.nth(1)).to_have_attribute("aria-current", "step")  # 50:19 is in step 2
    await expect(steps.nth(0)).not_to_have_attribute("aria-current", "step")
    assert errors == []
