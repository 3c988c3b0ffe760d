// The ride detail's charts and tables: the zoomable 1 s series with the W′ balance under it,
// time in zones, the power-duration curve, laps.

import { axis, COLORS, createChart, emptyChart, line } from "./charts.js";
import { el } from "./dom.js";
import { clockTime, duration, NONE, number, shortDuration } from "./format.js";

const CURVE_TICKS_S = [1, 5, 15, 60, 300, 1200, 3600, 7200, 14400];
const unit =
  (u, digits = u === "km/h" ? 1 : 0) =>
  (chart, value) =>
    value == null ? NONE : `${number(value, digits)} ${u}`;

const wattsValue = unit("W");
const hasValues = (values) => values.some((v) => v != null);

// The x axis and the legend in the browser's locale: ticks as times of day, the legend with
// seconds.
const timeAxis = () => axis({ values: (u, ticks) => ticks.map((s) => clockTime(s, u.scales.x.max - u.scales.x.min < 120)) });
const timeSeries = () => ({ label: "Time", value: (u, s) => (s == null ? NONE : clockTime(s, true)) });

// Keeps the charts sharing `link` on the same x range (zoom, reset) and cursor.
function linked(link, resetButton, full) {
  return (u, key) => {
    if (key !== "x") return;
    const { min, max } = u.scales.x;
    for (const other of link.charts) {
      if (other !== u && (other.scales.x.min !== min || other.scales.x.max !== max)) other.setScale("x", { min, max });
    }
    if (resetButton) resetButton.disabled = min <= full.min && max >= full.max;
  };
}

// The ride second by second: the workout's steps and the ERG target behind, heart rate,
// cadence and speed, and power drawn last, on top. `prepared` is ride-series.js's
// rideChartData; the series without any value (no workout, no ERG) are left out.
export async function seriesChart(container, prepared, { resetButton = null, link = { charts: [] } } = {}) {
  if (!prepared?.x.length) {
    emptyChart(container, "The second-by-second data of this ride is not available yet.");
    return null;
  }
  const full = { min: prepared.x[0], max: prepared.x.at(-1) };
  const columns = [
    ["workout", (uPlot) => line("Workout", COLORS.workout, { scale: "w", width: 1, fill: COLORS.workoutFill, paths: uPlot.paths.linear(), value: wattsValue })],
    ["target", (uPlot) => line("ERG target", COLORS.target, { scale: "w", dash: [6, 4], paths: uPlot.paths.stepped({ align: 1 }), value: wattsValue })],
    ["hr", () => line("Heart rate", COLORS.hr, { scale: "other", value: unit("bpm") })],
    ["cadence", () => line("Cadence", COLORS.cadence, { scale: "other", value: unit("rpm") })],
    ["speed", () => line("Speed", COLORS.speed, { scale: "other", value: unit("km/h") })],
    ["power", () => line("Power", COLORS.power, { scale: "w", width: 2, value: wattsValue })],
  ].filter(([name]) => name === "power" || hasValues(prepared[name]));
  const chart = await createChart(
    container,
    (uPlot) => ({
      scales: { x: { time: true }, w: { range: (u, min, max) => [0, Math.max(100, max * 1.05)] } },
      cursor: { drag: { x: true, y: false }, sync: { key: link.key } },
      axes: [timeAxis(), axis({ scale: "w", label: "W" }), axis({ scale: "other", side: 1, grid: { show: false }, label: "bpm · rpm · km/h" })],
      series: [timeSeries(), ...columns.map(([, build]) => build(uPlot))],
      hooks: { setScale: [linked(link, resetButton, full)] },
    }),
    [prepared.x, ...columns.map(([name]) => prepared[name])],
  );
  if (chart) {
    chart.wattlogColumns = columns.map(([name]) => name);
    link.charts.push(chart);
  }
  resetButton?.addEventListener("click", () => chart?.setScale("x", full));
  return chart;
}

// New smoothing or data on a drawn chart, keeping its zoom.
export function updateSeriesChart(chart, prepared) {
  if (!chart) return;
  chart.setData([prepared.x, ...chart.wattlogColumns.map((name) => prepared[name])], false);
  chart.redraw(false, false);
}

// W′ balance under the power chart, in kJ, on the same time axis.
export async function wbalChart(container, prepared, wPrimeJ, { link = { charts: [] } } = {}) {
  if (!prepared?.x.length || !hasValues(prepared.wbal)) {
    emptyChart(container, "No W′ balance for this ride: it has no power, or it is not summarised yet.");
    return null;
  }
  const full = { min: prepared.x[0], max: prepared.x.at(-1) };
  const kj = prepared.wbal.map((j) => (j == null ? null : j / 1000));
  const chart = await createChart(
    container,
    () => ({
      height: 160,
      scales: { x: { time: true }, kj: { range: (u, min, max) => [Math.min(0, min), Math.max((wPrimeJ ?? 0) / 1000, max)] } },
      cursor: { drag: { x: true, y: false }, sync: { key: link.key } },
      axes: [timeAxis(), axis({ scale: "kj", label: "kJ" })],
      series: [timeSeries(), line("W′ balance", COLORS.wbal, { scale: "kj", width: 2, value: unit("kJ", 1) })],
      hooks: { setScale: [linked(link, null, full)] },
    }),
    [prepared.x, kj],
  );
  if (chart) link.charts.push(chart);
  return chart;
}

export function zonesTable(title, zones) {
  if (!zones?.length) return el("p", { class: "muted", text: `${title}: not available for this ride.` });
  const total = zones.reduce((sum, z) => sum + z.seconds, 0) || 1;
  return el(
    "table",
    { class: "zones" },
    el("caption", { text: title }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Zone" }), el("th", { scope: "col", text: "Time" }), el("th", { scope: "col", text: "Share" }))),
    el(
      "tbody",
      {},
      zones.map((zone, index) => {
        const share = (100 * zone.seconds) / total;
        const bar = el("span", { class: `bar zone-${index + 1}`, "aria-hidden": "true" });
        bar.style.width = `${share.toFixed(1)}%`;
        return el(
          "tr",
          {},
          el("th", { scope: "row", text: zone.zone }),
          el("td", { text: duration(zone.seconds) }),
          el("td", { class: "share" }, el("span", { class: "bar-track" }, bar), ` ${share.toFixed(0)} %`),
        );
      }),
    ),
  );
}

export async function curveChart(container, curve, label = "Best mean power") {
  const points = Object.entries(curve ?? {})
    .map(([seconds, watts]) => [Number(seconds), watts])
    .filter(([seconds, watts]) => seconds > 0 && Number.isFinite(watts))
    .sort((a, b) => a[0] - b[0]);
  if (!points.length) {
    emptyChart(container, "No power-duration curve for this ride yet.");
    return null;
  }
  return createChart(
    container,
    () => ({
      scales: { x: { time: false, distr: 3, log: 10 }, y: { range: (u, min, max) => [0, max * 1.1] } },
      axes: [
        axis({
          splits: (u, axisIndex, min, max) => CURVE_TICKS_S.filter((s) => s >= min && s <= max),
          filter: (u, splits) => splits, // uPlot labels only powers of ten on log axes
          values: (u, ticks) => ticks.map((s) => (s == null ? "" : shortDuration(s))),
        }),
        axis({ label: "W" }),
      ],
      series: [
        { label: "Duration", value: (u, v) => (v == null ? NONE : shortDuration(Math.round(v))) },
        line(label, COLORS.power, { width: 2, value: unit("W") }),
      ],
    }),
    [points.map((p) => p[0]), points.map((p) => p[1])],
  );
}

function average(values) {
  const present = values.filter((v) => Number.isFinite(v));
  return present.length ? present.reduce((a, b) => a + b, 0) / present.length : null;
}

// Laps from the session's LapMarked events (ride times), with figures from the 1 s series.
export function lapsTable(bounds, series) {
  if (bounds.length < 3) return el("p", { class: "muted", text: "No laps were marked on this ride." });
  const t = series?.t ?? [];
  const rows = [];
  for (let i = 0; i < bounds.length - 1; i += 1) {
    const [from, to] = [bounds[i], bounds[i + 1]];
    const pick = (column) => t.map((time, k) => (time >= from && time < to ? series[column]?.[k] : null));
    rows.push(
      el(
        "tr",
        {},
        el("th", { scope: "row", text: `Lap ${i + 1}` }),
        el("td", { text: duration(from - bounds[0]) }),
        el("td", { text: duration(to - from) }),
        el("td", { text: t.length ? `${number(average(pick("power_w")))} W` : NONE }),
        el("td", { text: t.length ? `${number(average(pick("heart_rate_bpm")))} bpm` : NONE }),
        el("td", { text: t.length ? `${number(average(pick("cadence_rpm")))} rpm` : NONE }),
      ),
    );
  }
  const headers = ["Lap", "Start", "Duration", "Power", "Heart rate", "Cadence"];
  return el(
    "table",
    {},
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, rows),
  );
}
