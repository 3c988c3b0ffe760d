// The live widgets, shared by the live page and the replay: status line (connection,
// session, bridge, sensors), big numbers and the rolling chart of the last minutes.

import { axis, COLORS, createChart, line } from "./charts.js";
import { $, el, setText } from "./dom.js";
import { duration, NONE, number } from "./format.js";

const CHART_INTERVAL_MS = 250;
const STATUS_LABELS = {
  running: "Riding",
  paused: "Paused",
  finished: "Finished",
  discarded: "Discarded",
};

function metric(id, label, unit) {
  return el(
    "div",
    { class: `metric metric-${id}` },
    el("dt", { text: label }),
    el("dd", {}, el("output", { id: `metric-${id}`, text: NONE }), unit ? el("span", { class: "unit", text: unit }) : null),
  );
}

function commandText(command) {
  if (!command) return "No trainer command yet";
  const what =
    command.kind === "target_power"
      ? `ERG ${number(command.value)} W`
      : command.kind === "slope"
        ? `Slope ${number(command.value, 1)} %`
        : `Resistance ${number(command.value)} %`;
  if (command.state === "acknowledged") return `${what} · confirmed by the trainer`;
  if (command.state === "failed") return `${what} · refused by the trainer (${command.reason})`;
  return `${what} · sent`;
}

export class LiveView {
  // `clock()` is the ride time to show (live: now; replay: the playhead).
  constructor(root, { clock, bridgeName = () => null }) {
    this.clock = clock;
    this.bridgeName = bridgeName;
    this.chart = null;
    this.chartDrawnAt = 0;
    this.frame = null;
    root.replaceChildren(
      el(
        "div",
        { class: "status-bar", role: "group", "aria-label": "Connection and sensors" },
        el("span", { class: "pill", id: "connection-status", text: "Connecting…" }),
        el("span", { class: "pill", id: "session-status", text: NONE }),
        el("span", { class: "pill", id: "bridge-status", text: NONE }),
        el("span", { class: "sensors", id: "sensor-status", "aria-label": "Sensors" }),
      ),
      el(
        "dl",
        { class: "numbers", "aria-label": "Current values" },
        metric("power", "Power (3 s)", "W"),
        metric("hr", "Heart rate", "bpm"),
        metric("cadence", "Cadence", "rpm"),
        metric("speed", "Speed", "km/h"),
        metric("elapsed", "Elapsed", ""),
      ),
      el("p", { class: "target-line", id: "target-status", text: "No trainer command yet" }),
      el("div", { class: "chart rolling", id: "rolling-chart", role: "img", "aria-label": "Power, ERG target and heart rate over the last five minutes" }),
    );
    this.chartReady = createChart(
      $("#rolling-chart"),
      () => ({
        height: 260,
        scales: { x: { time: true }, w: { range: (u, min, max) => [0, Math.max(100, max * 1.1)] }, bpm: { range: (u, min, max) => [Math.min(60, min), Math.max(180, max)] } },
        axes: [axis(), axis({ scale: "w", label: "W" }), axis({ scale: "bpm", side: 1, grid: { show: false }, label: "bpm" })],
        series: [
          {},
          line("Power", COLORS.power, { scale: "w", width: 2, value: (u, v) => (v == null ? NONE : `${Math.round(v)} W`) }),
          line("ERG target", COLORS.target, { scale: "w", dash: [6, 4], value: (u, v) => (v == null ? NONE : `${Math.round(v)} W`) }),
          line("Heart rate", COLORS.hr, { scale: "bpm", value: (u, v) => (v == null ? NONE : `${Math.round(v)} bpm`) }),
        ],
        legend: { live: false },
      }),
      [[], [], [], []],
    ).then((chart) => {
      this.chart = chart;
    });
  }

  setConnection(text, state = "ok") {
    const node = $("#connection-status");
    setText(node, text);
    node.dataset.state = state;
  }

  // Coalesces renders to one per animation frame however many messages arrive.
  schedule(state, elapsed) {
    this.pending = [state, elapsed];
    this.frame ??= requestAnimationFrame(() => {
      this.frame = null;
      this.render(...this.pending);
    });
  }

  render(state, elapsedS) {
    const now = this.clock();
    const numbers = state.numbers(now);
    setText("#metric-power", number(numbers.power));
    setText("#metric-hr", number(numbers.hr));
    setText("#metric-cadence", number(numbers.cadence));
    setText("#metric-speed", number(numbers.speed, 1));
    setText("#metric-elapsed", duration(elapsedS));
    const status = $("#session-status");
    setText(status, STATUS_LABELS[state.status] ?? NONE);
    status.dataset.state = state.status ?? "";
    const name = this.bridgeName(state.clientId);
    const kind = state.transport === "phone" ? "phone" : state.transport === "desktop" ? "desktop" : state.transport;
    setText("#bridge-status", kind ? `Bridge: ${name ? `${name} · ` : ""}${kind}` : "Bridge: –");
    this.renderSensors(state.sensorStates(now));
    const target = $("#target-status");
    const command = state.currentCommand();
    setText(target, commandText(command));
    target.dataset.state = command?.state ?? "";
    if (this.chart && performance.now() - this.chartDrawnAt >= CHART_INTERVAL_MS) {
      this.chartDrawnAt = performance.now();
      this.chart.setData(state.chartData());
    }
  }

  renderSensors(sensors) {
    const node = $("#sensor-status");
    const text = sensors.map((s) => `${s.name} ${s.ok ? "ok" : "silent"}`).join(", ");
    if (node.dataset.text === text) return;
    node.dataset.text = text;
    node.replaceChildren(
      ...(sensors.length
        ? sensors.map((s) =>
            el("span", { class: "sensor", "data-state": s.ok ? "ok" : "stale", title: s.ok ? "receiving" : `silent for ${Math.round(s.ageS)} s` },
              `${s.name}: ${s.ok ? "ok" : "silent"}`),
          )
        : [el("span", { class: "sensor", "data-state": "stale", text: "no sensor data yet" })]),
    );
  }
}
