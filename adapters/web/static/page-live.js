// The live ride page: start a ride, or follow the running one with its controls.

import { api, ApiError, newId } from "./api.js";
import { $, announce, el, params, setText, show, showError } from "./dom.js";
import { paths } from "./endpoints.js";
import { LiveFeed } from "./live-feed.js";
import { LiveView } from "./live-view.js";
import { RideState, WINDOW_S } from "./ride-state.js";
import { chooseAthlete, needAthlete, reportError, startPage } from "./shell.js";

const ACTIVE = new Set(["running", "paused"]);
const RENDER_INTERVAL_MS = 1000;
const CATCH_UP_LIMIT = 3000;

async function activeSession() {
  for (const status of ["running", "paused"]) {
    const { sessions } = await api(paths.sessions({ status, limit: 1 }));
    if (sessions.length) return api(paths.session(sessions[0].id));
  }
  return null;
}

function showStartForm(athletes, athlete, bridges) {
  show("#start-panel");
  const athleteSelect = $("#start-athlete");
  athleteSelect.replaceChildren(
    ...athletes.map((a) => el("option", { value: a.id, selected: a.id === athlete.id, text: a.name })),
  );
  const usable = bridges.filter((b) => !b.revoked_at);
  const bridgeSelect = $("#start-bridge");
  bridgeSelect.replaceChildren(
    ...usable.map((b) => el("option", { value: b.id, text: `${b.name} (${b.kind})` })),
  );
  if (!usable.length) {
    $("#start-hint").replaceChildren(
      "You have no bridge yet. ",
      el("a", { href: "/bridges", text: "Register one" }),
      " and start it next to your trainer.",
    );
    $("#start-button").disabled = true;
  }
  $("#start-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("#start-error", null);
    const button = $("#start-button");
    button.disabled = true;
    try {
      const file = $("#start-workout").files[0];
      const choice = { athlete_id: athleteSelect.value, bridge_id: bridgeSelect.value };
      let session;
      if (file) {
        const form = new FormData();
        form.append("athlete_id", choice.athlete_id);
        form.append("bridge_id", choice.bridge_id);
        form.append("workout", file, file.name);
        session = await api(paths.sessions(), { method: "POST", form });
      } else {
        session = await api(paths.sessions(), { method: "POST", body: choice });
      }
      chooseAthlete(choice.athlete_id);
      history.replaceState(null, "", `/live?session=${session.id}`);
      show("#start-panel", false);
      followRide(session, bridges);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError("#start-error", error);
    } finally {
      button.disabled = false;
    }
  });
}

function showFinished(session) {
  show("#ride-panel", false);
  show("#start-panel", false);
  $("#finished-detail").href = `/rides/${session.id}`;
  show("#finished-panel");
  $("#finished-title").focus?.();
}

function connectionText(state, delayMs) {
  if (state === "open") return ["Live", "ok"];
  if (state === "connecting") return ["Connecting…", "wait"];
  if (state === "reconnecting") return [`Connection lost · retrying in ${Math.ceil(delayMs / 1000)} s`, "bad"];
  if (state === "forbidden") return ["Not allowed to watch this ride", "bad"];
  return [state, "wait"];
}

function followRide(session, bridges) {
  show("#ride-panel");
  const state = new RideState();
  state.setSession(session);
  let clientMinusServer = null; // estimated from the commit times of live messages
  let finished = false;
  const serverNow = () => Date.now() / 1000 - (clientMinusServer ?? 0);
  const view = new LiveView($("#ride-view"), {
    clock: () => serverNow() - (state.offset ?? 0),
    bridgeName: (clientId) => bridges.find((b) => b.client_id === clientId)?.name ?? null,
  });
  const render = () => {
    view.schedule(state, serverNow() - state.startedAt);
    renderTarget(state);
    const pause = $("#pause-button");
    pause.textContent = state.status === "paused" ? "Resume" : "Pause";
    pause.setAttribute("aria-pressed", String(state.status === "paused"));
  };
  const finish = () => {
    if (finished) return;
    finished = true;
    feed.stop();
    clearInterval(timer);
    showFinished(session);
  };
  const onMessage = (message) => {
    if (Number.isFinite(message.at)) {
      const lag = Date.now() / 1000 - message.at;
      if (clientMinusServer === null || lag < clientMinusServer) clientMinusServer = lag;
    }
    const before = state.status;
    state.apply(message);
    if (state.status !== before) announce(`Ride ${state.status}`);
    if (!ACTIVE.has(state.status)) finish();
    render();
  };
  const catchUp = async () => {
    const after = (state.lastAt ?? serverNow() - WINDOW_S) - 1;
    const body = await api(paths.sessionEvents(session.id, { after_at: after.toFixed(3), limit: CATCH_UP_LIMIT }));
    for (const message of body.events) state.apply(message);
    state.setSession(await api(paths.session(session.id)));
    if (!ACTIVE.has(state.status)) finish();
    render();
  };
  let wasOpen = false;
  const feed = new LiveFeed(session.id, {
    onMessage,
    catchUp,
    onState: (connection, delayMs) => {
      const [text, tone] = connectionText(connection, delayMs);
      view.setConnection(text, tone);
      if (connection === "reconnecting" && wasOpen) announce("Live connection lost; reconnecting");
      if (connection === "open" && wasOpen) announce("Live connection restored");
      wasOpen = wasOpen || connection === "open";
    },
  });
  const timer = setInterval(render, RENDER_INTERVAL_MS);
  wireControls(session, state, { serverNow, render, finish });
  feed.start();
  render();
}

// The target in force and where it comes from; the ERG input follows it unless the rider
// is typing in it.
function renderTarget(state) {
  const command = state.currentCommand();
  const watts = $("#erg-watts");
  if (command?.kind === "target_power" && document.activeElement !== watts && watts.dataset.shown !== String(command.value)) {
    watts.value = command.value;
    watts.dataset.shown = String(command.value);
  }
  const workout = state.workout;
  show("#target-source", Boolean(workout));
  show("#workout-resume", Boolean(workout?.manual));
  if (!workout) return;
  const source = workout.manual
    ? "Your target · holds until the next step"
    : `Workout target · intensity ${workout.intensity} %`;
  setText("#target-source", source);
  const intensity = $("#workout-intensity");
  if (document.activeElement !== intensity && intensity.dataset.shown !== String(workout.intensity)) {
    intensity.value = workout.intensity;
    intensity.dataset.shown = String(workout.intensity);
  }
}

function wireWorkout(session, state, act) {
  if (!session.workout) return;
  show("#workout-form");
  const intensity = $("#workout-intensity");
  const status = $("#command-status");
  const change = (percent) =>
    act(async () => {
      const updated = await api(paths.sessionAction(session.id, "workout/intensity"), {
        method: "PUT",
        body: { percent },
      });
      state.setSession(updated);
      status.textContent = `Workout intensity ${percent} %`;
    });
  $("#workout-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (intensity.reportValidity()) change(Number(intensity.value));
  });
  for (const [id, delta] of [["#intensity-down", -5], ["#intensity-up", 5]]) {
    $(id).addEventListener("click", () => {
      intensity.value = Math.min(150, Math.max(50, Number(intensity.value || 100) + delta));
      change(Number(intensity.value));
    });
  }
  $("#workout-resume").addEventListener("click", () =>
    act(async () => {
      state.setSession(await api(paths.sessionAction(session.id, "workout/resume"), { method: "POST" }));
      status.textContent = "Back to the workout";
    }),
  );
}

function wireControls(session, state, { serverNow, render, finish }) {
  const status = $("#command-status");
  const act = async (work) => {
    showError("#control-error", null);
    try {
      await work();
    } catch (error) {
      if (!(error instanceof ApiError)) return reportError(error);
      showError("#control-error", error);
    }
    render();
  };
  const command = (kind, value) =>
    act(async () => {
      const commandId = newId();
      await api(paths.commands(session.id), {
        method: "POST",
        body: { kind, value, command_id: commandId },
      });
      // Shown at once; the live feed's copy of the same command id changes nothing.
      state.applyCommand({ command_id: commandId, command: kind, value, at: serverNow() });
      status.textContent = kind === "target_power" ? `ERG target ${value} W sent` : `Slope ${value} % sent`;
    });
  const watts = $("#erg-watts");
  const current = state.currentCommand();
  watts.value = current?.kind === "target_power" ? current.value : Math.round((session.ftp_w * 0.6) / 5) * 5;
  $("#erg-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (watts.reportValidity()) command("target_power", Number(watts.value));
  });
  for (const [id, delta] of [["#erg-down", -10], ["#erg-up", 10]]) {
    $(id).addEventListener("click", () => {
      watts.value = Math.min(2500, Math.max(0, Number(watts.value || 0) + delta));
      command("target_power", Number(watts.value));
    });
  }
  wireWorkout(session, state, act);
  const slope = $("#slope-pct");
  slope.value = 0;
  $("#slope-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (slope.reportValidity()) command("slope", Number(slope.value));
  });
  $("#pause-button").addEventListener("click", () =>
    act(async () => {
      const action = state.status === "paused" ? "resume" : "pause";
      const updated = await api(paths.sessionAction(session.id, action), { method: "POST" });
      state.setStatus(updated.status, state.statusAt);
      announce(updated.status === "paused" ? "Ride paused" : "Ride resumed");
    }),
  );
  $("#lap-button").addEventListener("click", () =>
    act(async () => {
      const updated = await api(paths.sessionAction(session.id, "laps"), { method: "POST" });
      state.laps = Math.max(state.laps, updated.lap_count);
      status.textContent = `Lap ${updated.lap_count} marked`;
    }),
  );
  const dialog = $("#finish-dialog");
  $("#finish-button").addEventListener("click", () => dialog.showModal());
  dialog.addEventListener("close", () => {
    if (dialog.returnValue !== "finish") return;
    act(async () => {
      await api(paths.sessionAction(session.id, "finish"), { method: "POST" });
      finish();
    });
  });
}

startPage(async ({ athletes, athlete }) => {
  if (!needAthlete(athlete)) return;
  const { bridges } = await api(paths.bridges(true));
  const wanted = params().get("session");
  const session = wanted ? await api(paths.session(wanted)) : await activeSession();
  show("#live-loading", false);
  if (session && ACTIVE.has(session.status)) followRide(session, bridges);
  else if (session) showFinished(session);
  else showStartForm(athletes, athlete, bridges);
});
