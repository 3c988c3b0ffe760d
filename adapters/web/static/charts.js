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
  const chart = new uPlot({ ...options, width: width(), height }, data, container);
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
