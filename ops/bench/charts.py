"""How fast the dashboard's ride chart redraws and zooms a 2-hour ride at 1 s (4 series of
7,200 points), and takes a new smoothing on a 6.5-hour ride (the data prepared again by
`ride-series.js`, then drawn), in Chromium, against one 60 Hz frame (16.7 ms).

    .venv/bin/python ops/bench/charts.py [--repeats 21]

Serves only the dashboard's assets (no database), builds the chart the ride page builds
(`charts.js`, uPlot from npm) and times a full redraw and a zoom step, from the change to
the end of uPlot's draw, median of the repeats. Needs the test command's set-up
(Playwright and /usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from benchlib import report
from playwright.async_api import async_playwright

from adapters.web.local_server import modules_page, serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
FRAME_MS = 1000 / 60
BLANK = "<!doctype html><html lang=en><title>charts</title><div id=chart></div>"

TIMING = """async (repeats) => {
    const charts = await import("/static/charts.js");
    const n = 7200, t0 = 1700000000;
    const t = Array.from({length: n}, (_, i) => t0 + i);
    const wave = (base, amp, period) => t.map((_, i) => base + amp * Math.sin(i / period));
    const data = [t, wave(220, 80, 30), wave(145, 15, 300), wave(88, 6, 50), wave(32, 4, 90)];
    const build = () => ({
        scales: {x: {time: true}},
        series: [{}, ...["p", "hr", "cad", "spd"].map((name) => charts.line(name, "#e8590c"))],
    });
    const chart = await charts.createChart(document.getElementById("chart"), build, data);
    // uPlot draws in a microtask after a change: each timing ends when its draw hook ran.
    let drawn = () => {};
    chart.hooks.draw = [...(chart.hooks.draw ?? []), () => drawn()];
    const median = async (change) => {
        const times = [];
        for (let i = 0; i < repeats; i++) {
            const started = performance.now();
            await new Promise((resolve) => { drawn = resolve; change(i); });
            times.push(performance.now() - started);
        }
        return times.sort((a, b) => a - b)[Math.floor(repeats / 2)];
    };
    const redraw = await median(() => chart.setData(data));
    const zoom = await median((i) =>
        chart.setScale("x", {min: t0 + i * 100, max: t0 + 3600 + i * 100}));
    return {redraw_ms: redraw, zoom_ms: zoom, points_per_series: chart.data[1].length};
}"""

# The ride page on a 6.5-hour ride (23,400 s, a 30 s stop every 10 minutes): preparing the
# data (smoothing, breaks, ERG target, workout) and drawing it, as a smoothing change does.
LONG_RIDE = """async (repeats) => {
    const rs = await import("/static/ride-series.js");
    const rc = await import("/static/ride-charts.js");
    const t0 = 1700000000;
    const t = [];
    for (let s = 0; s < 23400; s++) if (s % 600 < 570) t.push(t0 + s);
    const wave = (base, amp, period) => t.map((s) => base + amp * Math.sin(s / period));
    const series = {t, power_w: wave(220, 80, 30), heart_rate_bpm: wave(145, 15, 300),
        cadence_rpm: wave(88, 6, 50), speed_kmh: wave(32, 4, 90), wbal_j: wave(15000, 4000, 900)};
    const steps = Array.from({length: 390}, (_, i) => ({start_s: i * 60, duration_s: 60,
        kind: "steady", power_start: 0.6 + (i % 5) / 10, power_end: 0.6 + (i % 5) / 10,
        unit: "ftp_fraction", cadence: null}));
    const commands = steps.map((step, i) => ({command: "target_power", value: 150 + i % 100,
        ride_t: t0 + step.start_s}));
    const context = {targets: rs.targetChanges(commands), workout: {steps}, ftpW: 250};
    const chart = await rc.seriesChart(document.getElementById("chart"),
        rs.rideChartData(series, {...context, smoothingS: 10}));
    let drawn = () => {};
    chart.hooks.draw = [...(chart.hooks.draw ?? []), () => drawn()];
    const times = [];
    for (let i = 0; i < repeats; i++) {
        const started = performance.now();
        await new Promise((resolve) => {
            drawn = resolve;
            const smoothingS = rs.SMOOTHING_S[i % rs.SMOOTHING_S.length];
            rc.updateSeriesChart(chart, rs.rideChartData(series, {...context, smoothingS}));
        });
        times.push(performance.now() - started);
    }
    const prepared = [];
    for (let i = 0; i < repeats; i++) {
        const started = performance.now();
        rs.rideChartData(series, {...context, smoothingS: rs.SMOOTHING_S[i % 4]});
        prepared.push(performance.now() - started);
    }
    const median = (list) => list.sort((a, b) => a - b)[Math.floor(repeats / 2)];
    return {long_ride_smoothing_ms: median(times), long_ride_prepare_ms: median(prepared),
            long_ride_points: chart.data[0].length};
}"""


async def measure(repeats: int) -> dict[str, Any]:
    async with serving(modules_page(BLANK)) as base_url, async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page(viewport={"width": 1200, "height": 800})
        await page.goto(f"{base_url}/")
        figures: dict[str, Any] = await page.evaluate(TIMING, repeats)
        figures.update(await page.evaluate(LONG_RIDE, repeats))
        await browser.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=21)
    args = parser.parse_args()
    figures = asyncio.run(measure(args.repeats))
    figures = {key: round(value, 2) for key, value in figures.items()}
    report(
        "charts",
        {"repeats": args.repeats, "frame_ms": round(FRAME_MS, 2), **figures},
        [
            ("figure", "ms", "share of a 60 Hz frame"),
            ("redraw 4 x 7,200 points", str(figures["redraw_ms"]), _share(figures["redraw_ms"])),
            ("zoom step", str(figures["zoom_ms"]), _share(figures["zoom_ms"])),
            (
                f"6.5 h ride, new smoothing ({figures['long_ride_points']:,} points x 6)",
                str(figures["long_ride_smoothing_ms"]),
                _share(figures["long_ride_smoothing_ms"]),
            ),
            (
                "... of which preparing the data",
                str(figures["long_ride_prepare_ms"]),
                _share(figures["long_ride_prepare_ms"]),
            ),
        ],
    )


def _share(ms: float) -> str:
    return f"{ms / FRAME_MS:.0%}"


if __name__ == "__main__":
    main()
