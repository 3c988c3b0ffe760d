// The ride chart's data, prepared from the API's 1 s series and the session's events: a
// smoothing window, breaks at stops, the ERG targets the trainer was sent and the workout's
// steps, all on the ride's clock (epoch seconds, as the series' `t`). Pure: no DOM, no uPlot.

export const SMOOTHING_S = [1, 3, 10, 30];

// 3 s, the live page's power average; 10 s on rides over an hour, where 1 s is a blur.
export function defaultSmoothing(rideS) {
  return rideS > 3600 ? 10 : 3;
}
// Rows further apart than this are a stop (an auto-pause, a dropout): the lines break there.
export const STOP_GAP_S = 3;
// The session's ride clock moves at most this much between two samples (domain/sessions.py
// MAX_RIDE_CLOCK_STEP_S): the workout runs on that clock.
const RIDE_CLOCK_STEP_S = 2;
const TRAINER_COMMANDS = ["target_power", "slope", "resistance"];

// Trailing mean over the last `windowS` seconds of ride (the rows in (t - windowS, t]), of the
// values present. A missing value stays missing: smoothing does not invent a reading.
export function smooth(t, values, windowS) {
  if (!values || windowS <= 1) return values ?? [];
  const out = new Array(values.length).fill(null);
  let from = 0;
  let sum = 0;
  let count = 0;
  for (let k = 0; k < values.length; k += 1) {
    if (Number.isFinite(values[k])) {
      sum += values[k];
      count += 1;
    }
    while (t[from] <= t[k] - windowS) {
      if (Number.isFinite(values[from])) {
        sum -= values[from];
        count -= 1;
      }
      from += 1;
    }
    if (Number.isFinite(values[k]) && count > 0) out[k] = sum / count;
  }
  return out;
}

// [from, to) ride times during which the session was paused, from its status events.
export function pauses(statusEvents) {
  const spans = [];
  let pausedAt = null;
  for (const event of [...statusEvents].sort((a, b) => a.ride_t - b.ride_t)) {
    if (event.event === "Paused" && pausedAt === null) pausedAt = event.ride_t;
    else if (["Resumed", "Finished", "Discarded"].includes(event.event) && pausedAt !== null) {
      spans.push([pausedAt, event.ride_t]);
      pausedAt = null;
    }
  }
  if (pausedAt !== null) spans.push([pausedAt, Infinity]);
  return spans;
}

// The ERG target in force from each trainer command on: [ride time, watts, or null when a
// slope or resistance command took the trainer out of ERG], by time.
export function targetChanges(commandEvents) {
  return commandEvents
    .filter((event) => TRAINER_COMMANDS.includes(event.command) && Number.isFinite(event.ride_t))
    .map((event) => [event.ride_t, event.command === "target_power" ? event.value : null])
    .sort((a, b) => a[0] - b[0]);
}

function stepTarget(step, workoutS, ftpW) {
  if (step.power_start == null || step.power_end == null) return null; // free ride
  const share = step.duration_s > 0 ? (workoutS - step.start_s) / step.duration_s : 0;
  const power = step.power_start + (step.power_end - step.power_start) * share;
  return step.unit === "watts" ? power : power * ftpW;
}

// The workout's target (W) at a workout time, as domain/workouts: linear within a step, a
// boundary belongs to the step that starts there, none in free ride or after the end.
export function workoutTargetAt(workout, workoutS, ftpW) {
  return workoutCursor(workout, ftpW)(workoutS);
}

// workoutTargetAt for times that only go forward (the chart's rows): O(steps + rows).
function workoutCursor(workout, ftpW) {
  const steps = workout?.steps ?? [];
  let index = 0;
  return (workoutS) => {
    while (index < steps.length && workoutS >= steps[index].start_s + steps[index].duration_s) index += 1;
    const step = steps[index];
    return step && workoutS >= step.start_s ? stepTarget(step, workoutS, ftpW) : null;
  };
}

const inPause = (spans, time) => spans.length > 0 && spans.some(([from, to]) => time >= from && time < to);

// Chart columns: x, then each named column, with a break row (all null) at every stop and
// every pause, and the rows inside a pause left out. `workout` targets follow the session's
// workout clock: the samples' time while riding, pauses left out, as the ingest worker's.
export function rideChartData(series, { smoothingS = 1, pauseSpans = [], targets = [], workout = null, ftpW = null } = {}) {
  const t = series?.t ?? [];
  const measured = {
    power: smooth(t, series?.power_w, smoothingS),
    hr: smooth(t, series?.heart_rate_bpm, smoothingS),
    cadence: smooth(t, series?.cadence_rpm, smoothingS),
    speed: smooth(t, series?.speed_kmh, smoothingS),
    wbal: series?.wbal_j ?? [],
  };
  const names = [...Object.keys(measured), "target", "workout"];
  const out = { x: [], breaks: [] };
  for (const name of names) out[name] = [];
  let previous = null;
  let workoutS = 0;
  let targetIndex = -1;
  const workoutAt = workout && ftpW ? workoutCursor(workout, ftpW) : () => null;
  for (let k = 0; k < t.length; k += 1) {
    const time = t[k];
    if (inPause(pauseSpans, time)) continue;
    if (previous !== null) {
      const pausedBetween = pauseSpans.some(([from]) => from > previous && from <= time);
      if (time - previous > STOP_GAP_S || pausedBetween) {
        out.x.push(previous + 1);
        out.breaks.push(previous + 1);
        for (const name of names) out[name].push(null);
      }
      if (!pausedBetween) workoutS += Math.min(time - previous, RIDE_CLOCK_STEP_S);
    }
    while (targetIndex + 1 < targets.length && targets[targetIndex + 1][0] <= time) targetIndex += 1;
    out.x.push(time);
    for (const [name, values] of Object.entries(measured)) out[name].push(values[k] ?? null);
    out.target.push(targetIndex >= 0 ? targets[targetIndex][1] : null);
    out.workout.push(workoutAt(workoutS));
    previous = time;
  }
  return out;
}
