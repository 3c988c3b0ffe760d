// uPlot (installed from the npm registry, served under /vendor/uplot/) and the dashboard's
// chart defaults. uPlot draws 7,200-point series (a 2-hour ride at 1 s) without effort;
// charts follow their container's width.

import { el } from "./dom.js";

let library = null;

export function loadUPlot() {
  library ??= import("/vendor/uplot/uPlot.esm.js").then((module) => module.default);
  return library;
}

export const COLORS = {
  power: "#e8590c",
  target: "#7048e8",
  workout: "#748ffc",
  workoutFill: "rgba(116, 143, 252, 0.18)",
  wbal: "#9c36b5",
  hr: "#e03131",
  cadence: "#1c7ed6",
  speed: "#2f9e44",
  ctl: "#1c7ed6",
  atl: "#d6336c",
  tsb: "#f08c00",
  load: "#4c6ef5",
};

function themed() {
  const style = getComputedStyle(document.documentElement);
  return {
    text: style.getPropertyValue("--text").trim() || "#222",
    grid: style.getPropertyValue("--grid").trim() || "#ddd",
  };
}

export function axis(options = {}) {
  const { text, grid } = themed();
  return { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, ...options };
}

export function line(label, color, options = {}) {
  return { label, stroke: color, width: 1.5, points: { show: false }, spanGaps: false, ...options };
}

// uPlot's time axes and legends use US templates ("{M}/{D}", "{h}:{mm}{aa}") with English
// names; this formats the same parts in the browser's locale instead (each line of a
// template on its own: uPlot puts the rollover date under the time).
export function localeDateFormat(template) {
  const lines = template.split("\n").map((part) => {
    if (part.startsWith(":{ss}")) return (date) => `:${String(date.getSeconds()).padStart(2, "0")}`;
    const has = (token) => part.includes(token);
    const options = {};
    if (has("{YYYY}")) options.year = "numeric";
    else if (has("{YY}")) options.year = "2-digit";
    if (has("{MMMM}")) options.month = "long";
    else if (has("{MMM}")) options.month = "short";
    else if (has("{MM}") || has("{M}")) options.month = "numeric";
    if (has("{DD}") || has("{D}")) options.day = "numeric";
    if (has("{WWW}")) options.weekday = "short";
    if (has("{h}") || has("{H}") || has("{HH}")) options.hour = "numeric";
    if (has("{mm}")) options.minute = "2-digit";
    if (has("{ss}")) options.second = "2-digit";
    if (!Object.keys(options).length) return () => part;
    const format = new Intl.DateTimeFormat(undefined, options);
    return (date) => format.format(date);
  });
  return (date) => lines.map((line) => line(date)).join("\n");
}

// `build(uPlot)` returns the options (it may use uPlot.paths); resolves to the chart, or to
// null with a message in the container when uPlot is not installed.
export async function createChart(container, build, data) {
  let uPlot;
  try {
    uPlot = await loadUPlot();
  } catch {
    container.replaceChildren(
      el("p", {
        class: "muted",
        text: "Charts are unavailable: uPlot is not installed on the server (run ops/bootstrap).",
      }),
    );
    return null;
  }
  container.wattlogChart?.destroy();
  container.wattlogObserver?.disconnect();
  container.replaceChildren();
  const options = build(uPlot);
  const height = options.height ?? (container.classList.contains("tall") ? 320 : 240);
  const width = () => Math.max(260, container.clientWidth);
  const chart = new uPlot({ fmtDate: localeDateFormat, ...options, width: width(), height }, data, container);
  let lastWidth = width();
  const observer = new ResizeObserver(() => {
    if (width() !== lastWidth) {
      lastWidth = width();
      chart.setSize({ width: lastWidth, height });
    }
  });
  observer.observe(container);
  container.wattlogChart = chart;
  container.wattlogObserver = observer;
  return chart;
}

export function emptyChart(container, message) {
  container.wattlogChart?.destroy();
  container.wattlogObserver?.disconnect();
  container.wattlogChart = null;
  container.replaceChildren(el("p", { class: "muted", text: message }));
}
