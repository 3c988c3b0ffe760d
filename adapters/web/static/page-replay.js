// Replay: a past ride streamed from its stored events, through the live widgets.

import { api } from "./api.js";
import { $, announce, rideIdFromPath, setText } from "./dom.js";
import { paths } from "./endpoints.js";
import { dateTime, duration } from "./format.js";
import { LiveView } from "./live-view.js";
import { ReplayFeed } from "./replay-feed.js";
import { rideStart } from "./ride-figures.js";
import { RideState } from "./ride-state.js";
import { startPage } from "./shell.js";

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

  const view = new LiveView($("#ride-view"), {
    clock: () => startT + position,
    bridgeName: (clientId) => bridges.find((b) => b.client_id === clientId)?.name ?? null,
  });
  const render = () => {
    view.schedule(state, position);
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
  seek.addEventListener("input", () => {
    dragging = true;
    render();
  });
  seek.addEventListener("change", () => {
    dragging = false;
    feed.seek(Number(seek.value));
  });
  feed.start(Number(speed.value));
  setInterval(render, 1000);
});
