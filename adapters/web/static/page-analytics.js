// Analytics: fitness (CTL/ATL/TSB) by day, weekly load, time in zones per week, best efforts,
// power-duration curve.

import { api, ApiError } from "./api.js";
import { axis, COLORS, createChart, emptyChart, line } from "./charts.js";
import { $, el } from "./dom.js";
import { listFrom, paths } from "./endpoints.js";
import { day, duration, isoDay, km, NONE, number, shortDuration } from "./format.js";
import { curveChart } from "./ride-charts.js";
import { needAthlete, reportError, startPage } from "./shell.js";

const epochDay = (iso) => Date.parse(`${iso}T00:00:00Z`) / 1000;
// The chosen period, whatever the data covers (one ride must not stretch the axis).
const periodScale = (range) => ({ time: true, range: () => [epochDay(range.start), epochDay(range.end) + 86_400] });

async function optional(path) {
  try {
    return await api(path);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

async function fitness(athleteId, range) {
  const container = $("#fitness-chart");
  const days = listFrom(await optional(paths.fitness(athleteId, range)), "fitness", "days", "chart");
  if (!days.length) {
    emptyChart(container, "No fitness data yet: it starts with your first finished ride.");
    $("#fitness-today").textContent = "";
    return;
  }
  const last = days.at(-1);
  $("#fitness-today").textContent =
    `On ${day(last.day)}: fitness (CTL) ${number(last.ctl)}, fatigue (ATL) ${number(last.atl)}, form (TSB) ${number(last.tsb)}`;
  const value = (u, v) => (v == null ? NONE : number(v));
  await createChart(
    container,
    () => ({
      scales: { x: periodScale(range) },
      axes: [axis(), axis({ label: "TSS/day" })],
      series: [
        {},
        line("CTL (fitness)", COLORS.ctl, { width: 2, value }),
        line("ATL (fatigue)", COLORS.atl, { value }),
        line("TSB (form)", COLORS.tsb, { value, dash: [5, 3] }),
      ],
    }),
    [days.map((d) => epochDay(d.day)), days.map((d) => d.ctl), days.map((d) => d.atl), days.map((d) => d.tsb)],
  );
}

async function weeklyLoad(athleteId, range) {
  const weeks = listFrom(
    await optional(paths.periodSummaries(athleteId, { period: "week", ...range })),
    "summaries",
    "periods",
    "weeks",
  );
  const table = $("#load-table");
  if (!weeks.length) {
    emptyChart($("#load-chart"), "No rides in this period.");
    table.replaceChildren();
    return;
  }
  await createChart(
    $("#load-chart"),
    (uPlot) => ({
      scales: { x: periodScale(range), y: { range: (u, min, max) => [0, Math.max(50, max * 1.1)] } },
      axes: [axis(), axis({ label: "TSS" })],
      series: [
        {},
        { label: "TSS", stroke: COLORS.load, fill: `${COLORS.load}99`, paths: uPlot.paths.bars({ size: [0.7, 40, 4] }), points: { show: false }, value: (u, v) => (v == null ? NONE : number(v)) },
      ],
    }),
    [weeks.map((w) => epochDay(w.period_start)), weeks.map((w) => w.tss ?? 0)],
  );
  const headers = ["Week of", "Rides", "Time", "Distance", "TSS", "Work"];
  table.replaceChildren(
    el(
      "table",
      {},
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col", text: h })))),
      el(
        "tbody",
        {},
        [...weeks].reverse().map((w) =>
          el(
            "tr",
            {},
            el("th", { scope: "row", text: day(w.period_start) }),
            el("td", { text: number(w.rides) }),
            el("td", { text: duration(w.moving_time_s ?? w.seconds) }),
            el("td", { text: km(w.distance_m) }),
            el("td", { text: number(w.tss) }),
            el("td", { text: w.work_kj == null ? NONE : `${number(w.work_kj)} kJ` }),
          ),
        ),
      ),
    ),
  );
}

function zoneList(zones) {
  if (!zones?.length) return NONE;
  return zones.map((z) => `${z.zone.split(" ")[0]} ${duration(z.seconds)}`).join(" · ");
}

async function weeklyZones(athleteId, range) {
  const weeks = listFrom(await optional(paths.weeklyZones(athleteId, range)), "weeks");
  const box = $("#zones-weeks");
  if (!weeks.length) {
    box.replaceChildren(el("p", { class: "muted", text: "No rides in this period yet." }));
    return;
  }
  box.replaceChildren(
    el(
      "table",
      {},
      el("thead", {}, el("tr", {}, ["Week of", "Power zones", "Heart-rate zones"].map((h) => el("th", { scope: "col", text: h })))),
      el(
        "tbody",
        {},
        [...weeks].reverse().map((w) =>
          el(
            "tr",
            {},
            el("th", { scope: "row", text: day(w.week_start) }),
            el("td", { text: zoneList(w.power) }),
            el("td", { text: zoneList(w.heart_rate) }),
          ),
        ),
      ),
    ),
  );
}

async function bestEfforts(athleteId, range) {
  const efforts = listFrom(await optional(paths.bestEfforts(athleteId, range)), "best_efforts", "efforts");
  const box = $("#best-efforts");
  if (!efforts.length) {
    box.replaceChildren(el("p", { class: "muted", text: "No efforts in this period yet." }));
    return;
  }
  box.replaceChildren(
    el(
      "table",
      {},
      el("thead", {}, el("tr", {}, ["Duration", "Power", "Ride"].map((h) => el("th", { scope: "col", text: h })))),
      el(
        "tbody",
        {},
        efforts.map((e) =>
          el(
            "tr",
            {},
            el("th", { scope: "row", text: shortDuration(e.duration_s) }),
            el("td", { text: `${number(e.watts)} W` }),
            el("td", {}, el("a", { href: `/rides/${e.session_id}`, text: day(e.day) })),
          ),
        ),
      ),
    ),
  );
}

async function athleteCurve(athleteId, range) {
  const curve = await optional(paths.athleteCurve(athleteId, range));
  const durations = curve?.durations_s ?? [];
  const byDuration = Object.fromEntries(durations.map((d, i) => [d, curve.watts[i]]));
  await curveChart($("#athlete-curve"), byDuration, "Best mean power");
}

startPage(async ({ athlete }) => {
  if (!needAthlete(athlete)) return;
  const select = $("#analytics-range");
  const load = async () => {
    const end = new Date();
    const start = new Date(end);
    start.setMonth(start.getMonth() - Number(select.value));
    const range = { start: isoDay(start), end: isoDay(end) };
    await Promise.all([
      fitness(athlete.id, range),
      weeklyLoad(athlete.id, range),
      weeklyZones(athlete.id, range),
      bestEfforts(athlete.id, range),
      athleteCurve(athlete.id, range),
    ]);
  };
  select.addEventListener("change", () => load().catch(reportError));
  await load();
});
