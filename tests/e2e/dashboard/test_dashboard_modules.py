"""The dashboard's ES modules in Chromium, on their own: the ride model the live page and
the replay share, the reconnection backoff, and the ride chart on a 2-hour ride."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from dashboard_harness import chromium
from playwright.async_api import Page

from adapters.web.local_server import modules_page, serving

BLANK = "<!doctype html><html lang=en><title>modules</title><div id=chart></div>"


@pytest.fixture
async def page() -> AsyncIterator[Page]:
    """A page of a server that serves only the dashboard's assets (no database needed)."""
    async with serving(modules_page(BLANK)) as base_url, chromium() as browser:
        page = await browser.new_page(viewport={"width": 1200, "height": 800})
        await page.goto(f"{base_url}/")
        yield page


async def run(page: Page, script: str) -> Any:
    """Evaluates `script` (an async function body) with the modules imported."""
    return await page.evaluate(
        """async (body) => {
            const state = await import("/static/ride-state.js");
            const backoff = await import("/static/backoff.js");
            const charts = await import("/static/charts.js");
            return new Function("state", "backoff", "charts",
                `return (async () => { ${body} })()`)(state, backoff, charts);
        }""",
        script,
    )


SAMPLES = """
const t0 = 1700000000;
const sample = (seq, offset = 3600) => ({kind: "sample", client_id: "b", seq, t: t0 + seq,
    at: t0 + seq + offset, sensor: "trainer", values: {power_w: 100 + seq, cadence_rpm: 90}});
"""


async def test_a_catch_up_that_overlaps_the_live_feed_changes_nothing(page: Page) -> None:
    once, twice = await run(
        page,
        SAMPLES
        + """
        const live = new state.RideState();
        const caughtUp = new state.RideState();
        for (let seq = 0; seq < 25; seq++) live.apply(sample(seq));
        for (let seq = 0; seq < 20; seq++) caughtUp.apply(sample(seq));
        for (let seq = 10; seq < 25; seq++) caughtUp.apply(sample(seq));  // overlap
        return [live.chartData(), caughtUp.chartData()];
        """,
    )
    assert once == twice
    assert once[1][:3] == [100, 101, 102]  # one power point a second, each sample once


async def test_an_erg_command_lands_on_the_ride_clock_and_shows_its_acknowledgement(
    page: Page,
) -> None:
    result = await run(
        page,
        SAMPLES
        + """
        const ride = new state.RideState();
        for (let seq = 0; seq < 30; seq++) ride.apply(sample(seq));  // bridge 1 h behind
        ride.apply({kind: "command", command_id: "c1", command: "target_power", value: 250,
                    at: t0 + 10.5 + 3600});
        const sent = ride.currentCommand().state;
        ride.apply({kind: "status", event: "CommandAcknowledged", command_id: "c1",
                    at: t0 + 11 + 3600});
        const [xs, , target] = ride.chartData();
        return {sent, now: ride.currentCommand().state,
                before: target[xs.indexOf(t0 + 9)], after: target[xs.indexOf(t0 + 11)]};
        """,
    )
    assert result == {"sent": "sent", "now": "acknowledged", "before": None, "after": 250}


async def test_big_numbers_hide_values_from_a_silent_sensor(page: Page) -> None:
    result = await run(
        page,
        SAMPLES
        + """
        const ride = new state.RideState();
        for (let seq = 0; seq < 10; seq++) ride.apply(sample(seq));
        return [ride.numbers(t0 + 9.5), ride.numbers(t0 + 20), ride.sensorStates(t0 + 20)];
        """,
    )
    fresh, silent, sensors = result
    assert fresh["power"] == pytest.approx((107 + 108 + 109) / 3)  # 3 s average
    assert fresh["cadence"] == 90
    assert silent["power"] is None and silent["cadence"] is None
    assert sensors == [{"name": "trainer", "ageS": 11, "ok": False}]


async def test_reconnection_delays_grow_with_jitter_up_to_a_cap_and_start_over(
    page: Page,
) -> None:
    delays = await run(
        page,
        """
        const low = new backoff.Backoff({baseMs: 500, maxMs: 8000, random: () => 0});
        const high = new backoff.Backoff({baseMs: 500, maxMs: 8000, random: () => 0.999});
        const lows = [], highs = [];
        for (let i = 0; i < 7; i++) { lows.push(low.next()); highs.push(high.next()); }
        low.reset();
        return {lows, highs, again: low.next()};
        """,
    )
    ceilings = [min(8000, 500 * 2**attempt) for attempt in range(7)]  # doubling, capped
    assert delays["lows"] == [ceiling / 2 for ceiling in ceilings]  # jitter: half at least
    for high, ceiling in zip(delays["highs"], ceilings, strict=True):
        assert 0.99 * ceiling <= high <= ceiling  # ... and the ceiling at most
    assert delays["again"] == ceilings[0] / 2


async def test_a_two_hour_ride_at_one_second_is_charted_whole_and_redrawn_on_every_change(
    page: Page,
) -> None:
    # How fast it redraws is measured by ops/bench/charts.py.
    chart = await run(
        page,
        """
        const n = 7200, t0 = 1700000000;
        const t = Array.from({length: n}, (_, i) => t0 + i);
        const wave = (base, amp, period) => t.map((_, i) => base + amp * Math.sin(i / period));
        const data = [t, wave(220, 80, 30), wave(145, 15, 300), wave(88, 6, 50), wave(32, 4, 90)];
        const build = () => ({
            scales: {x: {time: true}},
            series: [{}, ...["p", "hr", "cad", "spd"].map((name) => charts.line(name, "#e8590c"))],
        });
        const chart = await charts.createChart(document.getElementById("chart"), build, data);
        let drawn = 0;
        chart.hooks.draw = [...(chart.hooks.draw ?? []), () => { drawn += 1; }];
        for (let i = 0; i < 10; i++) {
            chart.setData(data);
            await null;
            chart.setScale("x", {min: t0 + i * 100, max: t0 + 3600 + i * 100});
            await null;
        }
        return {drawn, points: chart.data.slice(1).map((series) => series.length),
                window: [chart.scales.x.min, chart.scales.x.max]};
        """,
    )
    assert chart["points"] == [7200] * 4
    assert chart["drawn"] == 20
    assert chart["window"] == [1700000000 + 900, 1700000000 + 4500]
