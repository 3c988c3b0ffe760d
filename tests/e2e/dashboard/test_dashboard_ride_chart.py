"""The ride page's chart modules in Chromium on their own: smoothing, breaks at stops and
pauses, the ERG target and workout overlays, power drawn on top, the W' balance chart under
it sharing its zoom, and times in the browser's locale."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from dashboard_harness import chromium
from playwright.async_api import Browser, Page

from adapters.web.local_server import modules_page, serving

BLANK = (
    "<!doctype html><html lang=en><title>ride chart</title>"
    "<link rel=stylesheet href=/vendor/uplot/uPlot.min.css>"
    "<div id=chart></div><div id=wbal></div><button id=reset disabled>Reset</button>"
)
T0 = 1_700_000_000  # 2023-11-14 22:13:20 UTC

# A ride of 100 s, a 60 s stop with no rows (an auto-pause), 50 s more; then a pause of
# 30 s the rider pressed (rows still stored: they must not be drawn), 20 s more.
RIDE = f"""
const t0 = {T0};
const t = [];
for (let i = 0; i < 100; i++) t.push(t0 + i);
for (let i = 160; i < 210; i++) t.push(t0 + i);
for (let i = 210; i < 260; i++) t.push(t0 + i);
const power = t.map((s) => ((s - t0) % 2 ? 300 : 100));  // 100, 300, 100, ... W
const series = {{t, power_w: power, heart_rate_bpm: t.map(() => 140),
    cadence_rpm: t.map(() => 90), speed_kmh: t.map(() => null),
    wbal_j: t.map((s, k) => 20000 - k)}};
const status = [{{event: "Started", ride_t: t0}}, {{event: "Paused", ride_t: t0 + 215}},
    {{event: "Resumed", ride_t: t0 + 240}}, {{event: "Finished", ride_t: t0 + 260}}];
const commands = [{{command: "target_power", value: 200, ride_t: t0 + 10}},
    {{command: "target_power", value: 250, ride_t: t0 + 50.5}},
    {{command: "slope", value: 1.5, ride_t: t0 + 180}}];
const workout = {{steps: [
    {{start_s: 0, duration_s: 60, kind: "warmup", power_start: 0.5, power_end: 0.8,
      unit: "ftp_fraction", cadence: null}},
    {{start_s: 60, duration_s: 40, kind: "steady", power_start: 1.0, power_end: 1.0,
      unit: "ftp_fraction", cadence: null}},
    {{start_s: 100, duration_s: 200, kind: "freeride", power_start: null, power_end: null,
      unit: "ftp_fraction", cadence: null}}]}};
// uPlot commits scale changes in microtasks, and a linked chart's in the next ones: a
// macrotask runs after all of them.
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));
const context = {{pauseSpans: rs.pauses(status), targets: rs.targetChanges(commands),
    workout, ftpW: 200}};
"""


async def run(page: Page, script: str) -> Any:
    """Evaluates `script` (an async function body) with the chart modules imported."""
    return await page.evaluate(
        """async (body) => {
            const rs = await import("/static/ride-series.js");
            const rc = await import("/static/ride-charts.js");
            const fmt = await import("/static/format.js");
            const charts = await import("/static/charts.js");
            return new Function("rs", "rc", "fmt", "charts",
                `return (async () => { ${body} })()`)(rs, rc, fmt, charts);
        }""",
        script,
    )


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as started:
        yield started


@pytest.fixture
async def base_url() -> AsyncIterator[str]:
    async with serving(modules_page(BLANK)) as url:
        yield url


async def open_page(browser: Browser, base_url: str, locale: str = "en-GB") -> Page:
    context = await browser.new_context(
        viewport={"width": 1000, "height": 800}, locale=locale, timezone_id="Europe/Berlin"
    )
    page = await context.new_page()
    await page.goto(f"{base_url}/")
    return page


async def test_lines_break_at_a_stop_and_leave_out_a_pause_with_targets_in_force(
    browser: Browser, base_url: str
) -> None:
    page = await open_page(browser, base_url)
    data = await run(page, RIDE + "return rs.rideChartData(series, context);")
    x = [s - T0 for s in data["x"]]
    # 100 rows, a break at 100, 50 + 5 rows, a break at 215 (the pause), rows from 240 on.
    assert x == [*range(100), 100, *range(160, 215), 215, *range(240, 260)]
    assert [s - T0 for s in data["breaks"]] == [100, 215]
    for name in ("power", "hr", "cadence", "wbal", "target", "workout"):
        assert data[name][100] is None and data[name][156] is None, name
    assert data["power"][:4] == [100, 300, 100, 300]  # no smoothing asked for
    assert data["wbal"][:2] == [20000, 19999]
    # ERG: none before 10 s, 200 W from 10 s, 250 W from 50.5 s, out of ERG from the slope.
    target = dict(zip(x, data["target"], strict=True))
    assert [target[s] for s in (9, 10, 50, 51, 179, 180, 250)] == [
        None, 200, 200, 250, 250, None, None,
    ]  # fmt: skip
    # The workout's clock: 0.5 -> 0.8 FTP over the first minute, 1.0 FTP, then free ride.
    workout = dict(zip(x, data["workout"], strict=True))
    assert workout[0] == pytest.approx(100)
    assert workout[30] == pytest.approx(130)
    assert workout[60] == workout[99] == pytest.approx(200)
    # Across the 60 s stop the ride clock moves 2 s at most: 99 s + 2 s = 101 s, free ride.
    assert workout[160] is None


async def test_smoothing_is_a_trailing_mean_over_the_window_that_does_not_span_a_stop(
    browser: Browser, base_url: str
) -> None:
    page = await open_page(browser, base_url)
    smoothed = await run(
        page,
        """
        const t = [0, 1, 2, 3, 4, 10, 11, 12];
        const watts = [100, 300, 100, null, 300, 500, 500, 200];
        return {three: rs.smooth(t, watts, 3), ten: rs.smooth(t, watts, 10),
                one: rs.smooth(t, watts, 1), choices: rs.SMOOTHING_S,
                short: rs.defaultSmoothing(3600), long: rs.defaultSmoothing(6.5 * 3600)};
        """,
    )
    assert smoothed["one"] == [100, 300, 100, None, 300, 500, 500, 200]
    # (t-3, t]: at 2 s the rows 0..2; a missing reading stays missing; at 10 s only 10 s.
    assert smoothed["three"] == [100, 200, pytest.approx(500 / 3), None, 200, 500, 500, 400]
    assert smoothed["ten"][5] == pytest.approx((300 + 100 + 300 + 500) / 4)
    assert smoothed["choices"] == [1, 3, 10, 30]
    assert (smoothed["short"], smoothed["long"]) == (3, 10)


async def test_the_chart_draws_power_last_with_the_overlays_and_the_wbal_chart_follows_its_zoom(
    browser: Browser, base_url: str
) -> None:
    page = await open_page(browser, base_url)
    drawn = await run(
        page,
        RIDE
        + """
        const prepared = rs.rideChartData(series, {...context, smoothingS: 10});
        const link = {key: "ride", charts: []};
        const reset = document.getElementById("reset");
        const chart = await rc.seriesChart(document.getElementById("chart"), prepared,
            {resetButton: reset, link});
        const wbal = await rc.wbalChart(document.getElementById("wbal"), prepared, 20000, {link});
        let draws = 0;
        chart.hooks.draw = [...(chart.hooks.draw ?? []), () => { draws += 1; }];
        const labels = chart.series.map((s) => s.label);
        const lengths = chart.data.map((column) => column.length);
        const drawnPower = chart.data[labels.indexOf("Power")];
        const drawnTarget = chart.data[labels.indexOf("ERG target")];
        const drawnWorkout = chart.data[labels.indexOf("Workout")];
        chart.setScale("x", {min: t0 + 20, max: t0 + 80});
        await settled();
        const zoomed = {wbal: [wbal.scales.x.min, wbal.scales.x.max], reset: reset.disabled};
        rc.updateSeriesChart(chart, rs.rideChartData(series, {...context, smoothingS: 1}));
        await settled();
        const raw = chart.data[labels.indexOf("Power")];
        return {labels, lengths, power: drawnPower.slice(0, 12), gap: drawnPower[100],
                target: drawnTarget[60], workout: drawnWorkout[30], zoomed,
                afterUpdate: [chart.scales.x.min, chart.scales.x.max], raw: raw.slice(0, 4),
                draws, wbalLabels: wbal.series.map((s) => s.label),
                wbalKj: wbal.data[1].slice(0, 2),
                canvases: document.querySelectorAll("canvas").length};
        """,
    )
    # Speed has no value in this ride: left out. Power last, so it is drawn on top.
    assert drawn["labels"] == ["Time", "Workout", "ERG target", "Heart rate", "Cadence", "Power"]
    assert drawn["lengths"] == [177] * 6
    assert drawn["power"][:2] == [100, 200] and drawn["power"][10] == 200  # 10 s mean
    assert drawn["gap"] is None
    assert (drawn["target"], drawn["workout"]) == (250, pytest.approx(130))
    assert drawn["zoomed"] == {"wbal": [T0 + 20, T0 + 80], "reset": False}
    assert drawn["afterUpdate"] == [T0 + 20, T0 + 80]  # a new smoothing keeps the zoom
    assert drawn["raw"] == [100, 300, 100, 300]
    assert drawn["draws"] >= 1
    assert drawn["wbalLabels"] == ["Time", "W\u2032 balance"]
    assert drawn["wbalKj"] == [20.0, 19.999]
    assert drawn["canvases"] == 2


@pytest.mark.parametrize(
    ("locale", "clock", "with_seconds", "axis"),
    [
        ("de-DE", "23:13", "23:13:20", ["14.11.", "23:13\n14.11.23", "2023", "Nov"]),
        ("en-US", "11:13 PM", "11:13:20 PM", ["11/14", "11:13 PM\n11/14/23", "2023", "Nov"]),
    ],
)
async def test_chart_times_are_shown_in_the_browsers_locale(
    browser: Browser, base_url: str, locale: str, clock: str, with_seconds: str, axis: list[str]
) -> None:
    page = await open_page(browser, base_url, locale)
    shown = await run(
        page,
        RIDE
        + """
        const prepared = rs.rideChartData(series, context);
        const chart = await rc.seriesChart(document.getElementById("chart"), prepared);
        chart.setCursor({left: chart.valToPos(t0, "x"), top: 10});
        await settled();
        // uPlot's own time axes (analytics, live) through charts.js's fmtDate.
        const axis = ["{M}/{D}", "{h}:{mm}{aa}\\n{M}/{D}/{YY}", "{YYYY}", "{MMM}"].map(
            (template) => charts.localeDateFormat(template)(new Date(t0 * 1000)));
        return {clock: fmt.clockTime(t0), long: fmt.clockTime(t0, true), axis,
                legend: document.querySelector(".u-legend .u-series:first-child .u-value")
                    .textContent};
        """,
    )
    # Chromium's ICU puts a narrow or a plain space before PM, depending on its version.
    axis_shown = [text.replace("\u202f", " ") for text in shown.pop("axis")]
    shown = {key: text.replace("\u202f", " ") for key, text in shown.items()}
    assert shown == {"clock": clock, "long": with_seconds, "legend": with_seconds}
    assert axis_shown == axis
