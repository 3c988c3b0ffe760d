// The ride detail's charts and tables: the zoomable 1 s series, time in zones, the
// power-duration curve, laps.

import { axis, COLORS, createChart, emptyChart, line } from "./charts.js";
import { el } from "./dom.js";
import { duration, NONE, number, shortDuration } from "./format.js";

const CURVE_TICKS_S = [1, 5, 15, 60, 300, 1200, 3600, 7200, 14400];
const unit = (u) => (chart, value) => (value == null ? NONE : `${number(value, u === "km/h" ? 1 : 0)} ${u}`);

export async function seriesChart(container, series, resetButton) {
  const t = series?.t ?? [];
  if (!t.length) {
    emptyChart(container, "The second-by-second data of this ride is not available yet.");
    return null;
  }
  const data = [t, series.power_w, series.heart_rate_bpm, series.cadence_rpm, series.speed_kmh];
  const full = { min: t[0], max: t.at(-1) };
  const chart = await createChart(
    container,
    () => ({
      scales: { x: { time: true }, w: { range: (u, min, max) => [0, Math.max(100, max * 1.05)] } },
      cursor: { drag: { x: true, y: false } },
      axes: [axis(), axis({ scale: "w", label: "W" }), axis({ scale: "other", side: 1, grid: { show: false }, label: "bpm · rpm · km/h" })],
      series: [
        {},
        line("Power", COLORS.power, { scale: "w", value: unit("W") }),
        line("Heart rate", COLORS.hr, { scale: "other", value: unit("bpm") }),
        line("Cadence", COLORS.cadence, { scale: "other", value: unit("rpm") }),
        line("Speed", COLORS.speed, { scale: "other", value: unit("km/h") }),
      ],
      hooks: {
        setScale: [
          (u, key) => {
            if (key !== "x" || !resetButton) return;
            resetButton.disabled = u.scales.x.min <= full.min && u.scales.x.max >= full.max;
          },
        ],
      },
    }),
    data,
  );
  resetButton?.addEventListener("click", () => chart?.setScale("x", full));
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
