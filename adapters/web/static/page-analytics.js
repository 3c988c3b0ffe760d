// Analytics: fitness (CTL/ATL/TSB) by day, weekly load, time in zones per week, best efforts,
// power-duration curve, over the last months, all time or a custom range of the rider's days
// (their time zone).

import { api, ApiError } from "./api.js";
import { axis, COLORS, createChart, emptyChart, line } from "./charts.js";
import { browserTimeZone, monthsBefore, todayIn } from "./days.js";
import { $, el, show } from "./dom.js";
import { listFrom, paths } from "./endpoints.js";
import { day, duration, km, NONE, number, shortDuration } from "./format.js";
import { curveChart } from "./ride-charts.js";
import { needAthlete, reportError, startPage } from "./shell.js";

// Days sit at their UTC midnight on the axis, and the axis is labelled in UTC: the labels
// are then the rider's days whatever the browser's zone.
const epochDay = (iso) => Date.parse(`${iso}T00:00:00Z`) / 1000;
const utcAxis = (uPlot) => (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC");
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

// Each load renders only while it is the latest (a quicker later choice must not be undone).
let loads = 0;

async function fitness(athleteId, range, stale) {
  const container = $("#fitness-chart");
  const days = listFrom(await optional(paths.fitness(athleteId, range)), "fitness", "days", "chart");
  if (stale()) return;
  if (!days.length) {
    emptyChart(container, "No fitness data yet: it starts with your first finished ride.");
    $("#fitness-today").textContent = "";
    return;
  }
  const last = days.at(-1);
  $("#fitness-today").textContent =
    `On ${day(last.day)}: fitness (CTL) ${number(last.ctl)}, fatigue (ATL) ${number(last.atl)}, form (TSB) ${number(last.tsb)}`;
  const value = (u, v) => (v == null ? NONE : number(v));
  // Points as well as lines while the days are few enough to tell apart.
  const points = { show: days.length <= 92, size: 5 };
  await createChart(
    container,
    (uPlot) => ({
      tzDate: utcAxis(uPlot),
      scales: { x: periodScale(range) },
      axes: [axis(), axis({ label: "TSS/day" })],
      series: [
        {},
        line("CTL (fitness)", COLORS.ctl, { width: 2, value, points }),
        line("ATL (fatigue)", COLORS.atl, { value, points }),
        line("TSB (form)", COLORS.tsb, { value, dash: [5, 3], points }),
      ],
    }),
    [days.map((d) => epochDay(d.day)), days.map((d) => d.ctl), days.map((d) => d.atl), days.map((d) => d.tsb)],
  );
}

async function weeklyLoad(athleteId, range, stale) {
  const weeks = listFrom(
    await optional(paths.periodSummaries(athleteId, { period: "week", ...range })),
    "summaries",
    "periods",
    "weeks",
  );
  if (stale()) return;
  const table = $("#load-table");
  if (!weeks.length) {
    emptyChart($("#load-chart"), "No rides in this period.");
    table.replaceChildren();
    return;
  }
  await createChart(
    $("#load-chart"),
    (uPlot) => ({
      tzDate: utcAxis(uPlot),
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

// One piece per zone that never breaks inside: a long week wraps between zones, within
// its cell (style.css, .zone-times), instead of running past the card.
function zoneList(zones) {
  if (!zones?.length) return NONE;
  const last = zones.length - 1;
  return zones.flatMap((z, i) => {
    const text = `${z.zone.split(" ")[0]} ${duration(z.seconds)}${i < last ? " ·" : ""}`;
    return [i ? " " : "", el("span", { class: "zone-time", text })];
  });
}

async function weeklyZones(athleteId, range, stale) {
  const weeks = listFrom(await optional(paths.weeklyZones(athleteId, range)), "weeks");
  if (stale()) return;
  const box = $("#zones-weeks");
  if (!weeks.length) {
    box.replaceChildren(el("p", { class: "muted", text: "No rides in this period yet." }));
    return;
  }
  box.replaceChildren(
    el(
      "table",
      { class: "zone-weeks" },
      el("thead", {}, el("tr", {}, ["Week of", "Power zones", "Heart-rate zones"].map((h) => el("th", { scope: "col", text: h })))),
      el(
        "tbody",
        {},
        [...weeks].reverse().map((w) =>
          el(
            "tr",
            {},
            el("th", { scope: "row", text: day(w.week_start) }),
            el("td", { class: "zone-times" }, zoneList(w.power)),
            el("td", { class: "zone-times" }, zoneList(w.heart_rate)),
          ),
        ),
      ),
    ),
  );
}

async function bestEfforts(athleteId, range, stale) {
  const efforts = listFrom(await optional(paths.bestEfforts(athleteId, range)), "best_efforts", "efforts");
  if (stale()) return;
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

async function athleteCurve(athleteId, range, stale) {
  const curve = await optional(paths.athleteCurve(athleteId, range));
  if (stale()) return;
  const durations = curve?.durations_s ?? [];
  const byDuration = Object.fromEntries(durations.map((d, i) => [d, curve.watts[i]]));
  await curveChart($("#athlete-curve"), byDuration, "Best mean power");
}

// The chosen range of the rider's days; "all" starts at the first ride (fitness knows it).
async function chosenRange(athlete) {
  const choice = $("#analytics-range").value;
  const today = todayIn(athlete.time_zone ?? browserTimeZone());
  show("#analytics-custom", choice === "custom");
  let start = null;
  let end = today;
  if (choice === "custom") {
    start = $("#analytics-start").value || null;
    end = $("#analytics-end").value || today;
  } else if (choice !== "all") {
    start = monthsBefore(today, Number(choice));
  }
  if (!start) {
    const days = listFrom(await optional(paths.fitness(athlete.id, { end })), "fitness");
    start = days[0]?.day ?? end;
  }
  return { start, end };
}

startPage(async ({ athlete }) => {
  if (!needAthlete(athlete)) return;
  const select = $("#analytics-range");
  const load = async () => {
    const generation = ++loads;
    const stale = () => generation !== loads;
    const range = await chosenRange(athlete);
    if (stale()) return;
    if (select.value !== "custom") {
      $("#analytics-start").value = range.start;
      $("#analytics-end").value = range.end;
    }
    await Promise.all([
      fitness(athlete.id, range, stale),
      weeklyLoad(athlete.id, range, stale),
      weeklyZones(athlete.id, range, stale),
      bestEfforts(athlete.id, range, stale),
      athleteCurve(athlete.id, range, stale),
    ]);
    // For the browser tests: the charts show this range (docs/dashboard.md).
    if (!stale()) document.body.dataset.analyticsRange = `${range.start}..${range.end}`;
  };
  const reload = () => load().catch(reportError);
  select.addEventListener("change", reload);
  $("#analytics-start").addEventListener("change", reload);
  $("#analytics-end").addEventListener("change", reload);
  await load();
});
