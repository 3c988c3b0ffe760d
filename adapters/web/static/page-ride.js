// Ride detail: summary figures, the zoomable 1 s series (smoothed, broken at stops, with the
// ERG target and the workout's steps) and the W′ balance under it, time in zones, the
// power-duration curve and laps.

import { api, ApiError } from "./api.js";
import { $, el, rideIdFromPath, show } from "./dom.js";
import { paths } from "./endpoints.js";
import { dateTime, number } from "./format.js";
import { curveChart, lapsTable, seriesChart, updateSeriesChart, wbalChart, zonesTable } from "./ride-charts.js";
import { figures, rideStart } from "./ride-figures.js";
import { defaultSmoothing, pauses, rideChartData, SMOOTHING_S, targetChanges } from "./ride-series.js";
import { startPage } from "./shell.js";

const REFRESH_MS = 3000;
const MAX_REFRESHES = 60;

const pending = (session) => session.status === "finished" && session.summary?.duration_s == null;

// Power per kilogram where the rider's weight is known (the profile's current weight).
function perKg(summary, weightKg) {
  if (!(weightKg > 0)) return [];
  return [
    ["avg_power_w", "Average power per kg"],
    ["normalized_power_w", "NP per kg"],
  ]
    .filter(([key]) => Number.isFinite(summary?.[key]))
    .map(([key, label]) => ({ key: `${key}_per_kg`, label, text: `${number(summary[key] / weightKg, 2)} W/kg` }));
}

// Heart-rate zones need a threshold or maximum heart rate: say where to enter them.
function hrZones(summary) {
  if (summary.time_in_hr_zones?.length || summary.avg_hr_bpm == null) {
    return zonesTable("Heart-rate zones", summary.time_in_hr_zones);
  }
  return el(
    "p",
    { class: "muted", id: "hr-zones-hint" },
    "Heart-rate zones need your threshold (LTHR) or maximum heart rate: enter them in ",
    el("a", { href: "/settings", text: "Settings" }),
    ", from a day on or before this ride, and the ride is counted again.",
  );
}

function renderSummary(session, weightKg) {
  const list = [...figures(session.summary), ...perKg(session.summary, weightKg)];
  $("#ride-summary").replaceChildren(
    ...list.map((f) => el("div", { "data-figure": f.key }, el("dt", { text: f.label }), el("dd", { text: f.text }))),
  );
  show("#summary-pending", pending(session));
  const summary = session.summary ?? {};
  $("#power-zones").replaceChildren(zonesTable("Power zones", summary.time_in_power_zones));
  $("#hr-zones").replaceChildren(hrZones(summary));
  curveChart($("#curve-chart"), summary.power_curve_w);
}

async function optional(path) {
  try {
    return await api(path);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405)) return null;
    throw error;
  }
}

// An imported file's sport and head unit: "cycling (road) on garmin edge810".
function recordedBy(recording) {
  if (!recording) return null;
  const sport = [recording.sport, recording.sub_sport && recording.sub_sport !== "generic" ? `(${recording.sub_sport})` : null]
    .filter(Boolean)
    .join(" ");
  const device = [recording.device?.manufacturer, recording.device?.product].filter(Boolean).join(" ");
  return [sport, device ? `on ${device}` : null].filter(Boolean).join(" ") || null;
}

// Every event of one kind ("status", "command"), on the ride's clock (`ride_t`).
async function eventsOf(sessionId, kind) {
  const events = [];
  let after = 0;
  while (after !== null) {
    const page = await api(paths.sessionEvents(sessionId, { kind, after_version: after, limit: 5000 }));
    events.push(...page.events);
    after = page.next_after_version;
  }
  return events;
}

// Lap boundaries on the ride's clock: the start, every lap marked, the end.
function lapBounds(statusEvents, series) {
  const marks = [];
  let start = null;
  let end = null;
  for (const event of statusEvents) {
    if (event.event === "Started") start = event.ride_t;
    else if (event.event === "LapMarked") marks.push(event.ride_t);
    else if (event.event === "Finished" || event.event === "Discarded") end = event.ride_t;
  }
  const t = series?.t ?? [];
  const first = t.length ? t[0] : start;
  const last = t.length ? t.at(-1) + 1 : end;
  if (first == null || last == null) return [];
  return [first, ...marks.filter((m) => m > first && m < last).sort((a, b) => a - b), last];
}

// The 1 s chart and the W′ balance under it; a smoothing choice redraws the 1 s chart in
// place (W′bal is not smoothed).
async function renderSeries(session, series, statusEvents, commandEvents) {
  const select = $("#series-smoothing");
  select.replaceChildren(...SMOOTHING_S.map((s) => el("option", { value: String(s), text: s === 1 ? "None (1 s)" : `${s} s` })));
  const t = series?.t ?? [];
  select.value = String(defaultSmoothing(t.length ? t.at(-1) - t[0] : 0));
  const context = {
    pauseSpans: pauses(statusEvents),
    targets: targetChanges(commandEvents),
    workout: session.workout,
    ftpW: session.ftp_w,
  };
  const prepare = () => rideChartData(series, { ...context, smoothingS: Number(select.value) });
  const link = { key: `ride-${session.id}`, charts: [] };
  const prepared = prepare();
  const chart = await seriesChart($("#series-chart"), prepared, { resetButton: $("#series-reset"), link });
  await wbalChart($("#wbal-chart"), prepared, session.summary?.w_prime_j, { link });
  select.disabled = !chart;
  select.addEventListener("change", () => updateSeriesChart(chart, prepare()));
}

startPage(async ({ athletes = [] } = {}) => {
  const id = rideIdFromPath();
  let session = await api(paths.session(id));
  const weightKg = athletes.find((a) => a.id === session.athlete_id)?.weight_kg;
  $("#ride-title").textContent = `Ride of ${dateTime(rideStart(session))}`;
  document.title = `${$("#ride-title").textContent} · wattlog`;
  const replay = $("#ride-replay");
  replay.href = `/rides/${id}/replay`;
  const active = session.status === "running" || session.status === "paused";
  if (active) {
    replay.textContent = "Watch live";
    replay.href = `/live?session=${id}`;
  }
  $("#ride-subtitle").textContent = [
    session.status,
    session.transport ? `${session.transport} bridge` : null,
    recordedBy(session.recording),
    `FTP ${session.ftp_w} W`,
    session.workout?.name ? `workout “${session.workout.name}”` : null,
  ]
    .filter(Boolean)
    .join(" · ");
  renderSummary(session, weightKg);
  // The series and the W′ balance come from the same projections as the summary: wait for it.
  for (let refreshes = 0; pending(session) && refreshes < MAX_REFRESHES; refreshes += 1) {
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
    session = await api(paths.session(id));
    if (!pending(session)) renderSummary(session, weightKg);
  }
  const [series, statusEvents, commandEvents] = await Promise.all([
    optional(paths.sessionSeries(id)),
    eventsOf(id, "status"),
    eventsOf(id, "command"),
  ]);
  await renderSeries(session, series, statusEvents, commandEvents);
  $("#laps").replaceChildren(lapsTable(lapBounds(statusEvents, series), series));
});
