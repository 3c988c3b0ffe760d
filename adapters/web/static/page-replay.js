// Replay: a past ride streamed from its stored events, through the live widgets.

import { api } from "./api.js";
import { $, announce, el, rideIdFromPath, setText, show } from "./dom.js";
import { paths } from "./endpoints.js";
import { dateTime, duration, number } from "./format.js";
import { LiveView } from "./live-view.js";
import { ReplayFeed } from "./replay-feed.js";
import { rideStart } from "./ride-figures.js";
import { RideState } from "./ride-state.js";
import { startPage } from "./shell.js";

// A step's target as the file gave it: % of FTP or watts, a ramp as "from–to".
function stepTarget(step, ftpW) {
  const watts = (power) => (step.unit === "watts" ? power : power * ftpW);
  if (step.power_start == null) return "free ride";
  const [from, to] = [watts(step.power_start), watts(step.power_end ?? step.power_start)];
  return Math.round(from) === Math.round(to) ? `${number(from)} W` : `${number(from)}–${number(to)} W`;
}

// The workout's steps, each with its start and length; the one at the replay's position
// (seconds since the ride's start) is marked as current.
function workoutSteps(session) {
  const steps = session.workout?.steps ?? [];
  show("#workout-steps-card", steps.length > 0);
  const items = steps.map((step) =>
    el(
      "li",
      { "data-start": step.start_s, "data-end": step.start_s + step.duration_s },
      el("span", { class: "step-time", text: `${duration(step.start_s)} · ${duration(step.duration_s)}` }),
      ` ${step.kind.replaceAll("_", " ")}: ${stepTarget(step, session.ftp_w)}`,
    ),
  );
  $("#workout-steps").replaceChildren(...items);
  return (position) => {
    for (const item of items) {
      const current = position >= Number(item.dataset.start) && position < Number(item.dataset.end);
      if (current) item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
    }
  };
}

startPage(async () => {
  const id = rideIdFromPath();
  const session = await api(paths.session(id));
  const { bridges } = await api(paths.bridges(true));
  $("#replay-title").textContent = `Replay of the ride of ${dateTime(rideStart(session))}`;
  $("#replay-back").href = `/rides/${id}`;

  let state = new RideState();
  let startT = 0;
  let position = 0;
  let total = 0;
  let playing = false;
  let ended = false;
  let dragging = false;
  const play = $("#replay-play");
  const seek = $("#replay-seek");
  const speed = $("#replay-speed");
  const stateText = $("#replay-state");
  const skipPauses = $("#replay-skip-pauses");
  const markStep = workoutSteps(session);

  const view = new LiveView($("#ride-view"), {
    clock: () => startT + position,
    bridgeName: (clientId) => bridges.find((b) => b.client_id === clientId)?.name ?? null,
  });
  const render = () => {
    view.schedule(state, position);
    markStep(position);
    if (!dragging) seek.value = String(position);
    seek.setAttribute("aria-valuetext", `${duration(Number(seek.value))} of ${duration(total)}`);
    setText("#replay-position", `${duration(dragging ? Number(seek.value) : position)} / ${duration(total)}`);
    play.textContent = playing ? "Pause" : ended ? "Play again" : "Play";
    play.setAttribute("aria-pressed", String(playing));
    const text = ended ? "Replay finished" : playing ? `Playing at ${speed.value}×` : "Paused";
    setText(stateText, text);
    stateText.dataset.state = ended ? "ended" : playing ? "playing" : "paused";
  };
  const applyAll = (events) => {
    for (const message of events) state.apply(message);
  };

  const feed = new ReplayFeed(id, {
    connection: (connection, detail) => {
      const texts = {
        connecting: ["Connecting…", "wait"],
        open: ["Replay", "ok"],
        reconnecting: [`Connection lost · retrying in ${Math.ceil((detail ?? 0) / 1000)} s`, "bad"],
        refused: [`Replay refused: ${detail || "not available"}`, "bad"],
      };
      view.setConnection(...(texts[connection] ?? [connection, "wait"]));
    },
    ready: (frame) => {
      startT = frame.start_t;
      total = frame.duration_s;
      seek.max = String(total);
      seek.disabled = false;
      play.disabled = false;
      render();
    },
    events: (frame) => {
      applyAll(frame.events);
      position = frame.position_s;
      render();
    },
    seeked: (frame) => {
      state = new RideState();
      applyAll(frame.events);
      position = frame.position_s;
      ended = false;
      render();
    },
    state: (frame) => {
      playing = frame.playing;
      position = frame.position_s;
      if (playing) ended = false;
      render();
    },
    ended: (frame) => {
      position = frame.position_s;
      ended = true;
      playing = false;
      announce("Replay finished");
      render();
    },
  });

  play.addEventListener("click", () => (playing ? feed.pause() : feed.play()));
  speed.addEventListener("change", () => {
    feed.setSpeed(Number(speed.value));
    render();
  });
  skipPauses.addEventListener("change", () => feed.setSkipPauses(skipPauses.checked));
  seek.addEventListener("input", () => {
    dragging = true;
    render();
  });
  seek.addEventListener("change", () => {
    dragging = false;
    feed.seek(Number(seek.value));
  });
  feed.start(Number(speed.value), skipPauses.checked);
  setInterval(render, 1000);
});
