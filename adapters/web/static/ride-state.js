// What a ride looks like right now, built from the live feed's messages (kind sample,
// command or status). The live page and the replay feed the same model the same messages.
//
// Applying a message twice changes nothing: samples are kept per second by their
// (client id, seq), commands by their id, so a catch-up that overlaps what the socket
// already delivered is harmless. Times are on the ride's clock: a sample's device time `t`;
// other events are moved onto it by the smallest (`at` - `t`) seen on samples (or given as
// `ride_t` by the server, for stored events).

export const WINDOW_S = 300;
export const STALE_S = 3;
const POWER_AVERAGE_S = 3;
const MAX_COMMANDS = 200;

const FIELDS = {
  power: "power_w",
  hr: "heart_rate_bpm",
  cadence: "cadence_rpm",
  speed: "speed_kmh",
  distance: "total_distance_m",
};
const ENDED = new Set(["finished", "discarded"]);

function mean(values) {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

export class RideState {
  constructor({ windowS = WINDOW_S } = {}) {
    this.windowS = windowS;
    this.buckets = new Map(); // whole second -> Map("client:seq" -> values)
    this.latestT = null;
    this.latest = {}; // field -> {value, t}
    this.sensors = new Map(); // sensor name -> ride time of its newest sample
    this.offset = null; // server clock minus device clock (plus the least delay)
    this.lastAt = null; // newest commit time seen: where a catch-up starts
    this.targets = []; // [ride time, watts or null], by time: the ERG target line
    this.commands = new Map(); // id -> {kind, value, state, reason, t}
    this.status = null;
    this.statusAt = -Infinity;
    this.transport = null;
    this.clientId = null;
    this.ftp = null;
    this.laps = 0;
    this.startedAt = null;
    this.workout = null; // during a workout: {intensity, manual: {value, stepIndex} or null}
  }

  setSession(session) {
    this.setStatus(session.status, -Infinity);
    this.transport = session.transport ?? this.transport;
    this.clientId = session.bridge_id ?? this.clientId;
    this.ftp = session.ftp_w ?? this.ftp;
    this.laps = Math.max(this.laps, session.lap_count ?? 0);
    this.startedAt = Date.parse(session.started_at) / 1000;
    const control = session.workout_control;
    if (session.workout && control) {
      const manual = control.manual_target;
      this.workout = {
        intensity: control.intensity_pct,
        manual: manual ? { value: manual.value, stepIndex: manual.step_index } : null,
      };
    }
  }

  rideTime(message) {
    if (Number.isFinite(message.ride_t)) return message.ride_t;
    if (message.kind === "sample") return message.t;
    return message.at - (this.offset ?? 0);
  }

  apply(message) {
    if (!message || typeof message !== "object") return;
    if (Number.isFinite(message.at)) this.lastAt = Math.max(this.lastAt ?? 0, message.at);
    if (message.kind === "sample") this.applySample(message);
    else if (message.kind === "command") this.applyCommand(message);
    else if (message.kind === "status") this.applyStatus(message);
  }

  applySample(message) {
    if (Number.isFinite(message.at) && Number.isFinite(message.t)) {
      const offset = message.at - message.t;
      if (this.offset === null || offset < this.offset) this.offset = offset;
    }
    const t = this.rideTime(message);
    if (!Number.isFinite(t)) return;
    if (this.latestT !== null && t < this.latestT - this.windowS - 5) return;
    const second = Math.floor(t);
    let bucket = this.buckets.get(second);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(second, bucket);
    }
    const values = message.values ?? {};
    bucket.set(`${message.client_id}:${message.seq}`, values);
    if (message.sensor) {
      this.sensors.set(message.sensor, Math.max(this.sensors.get(message.sensor) ?? -Infinity, t));
    }
    for (const [field, key] of Object.entries(FIELDS)) {
      const value = values[key];
      if (Number.isFinite(value) && !(this.latest[field]?.t > t)) this.latest[field] = { value, t };
    }
    if (this.latestT === null || t > this.latestT) {
      this.latestT = t;
      this.prune();
    }
  }

  prune() {
    const oldest = Math.floor(this.latestT) - this.windowS - 5;
    for (const second of this.buckets.keys()) if (second < oldest) this.buckets.delete(second);
  }

  applyCommand(message) {
    if (this.commands.has(message.command_id)) return;
    const t = this.rideTime(message);
    this.commands.set(message.command_id, {
      kind: message.command,
      value: message.value,
      state: "sent",
      reason: null,
      t,
    });
    if (this.commands.size > MAX_COMMANDS) this.commands.delete(this.commands.keys().next().value);
    if (["target_power", "slope", "resistance"].includes(message.command)) {
      // Slope or resistance takes the trainer out of ERG: the target line stops there.
      const watts = message.command === "target_power" ? message.value : null;
      this.targets.push([t, watts]);
      this.targets.sort((a, b) => a[0] - b[0]);
    }
  }

  setStatus(status, at) {
    if (!status || ENDED.has(this.status)) return;
    if (at < this.statusAt) return;
    this.status = status;
    this.statusAt = at;
  }

  applyStatus(message) {
    const command = this.commands.get(message.command_id);
    switch (message.event) {
      case "Started":
        this.transport ??= message.transport;
        this.clientId ??= message.client_id;
        this.ftp ??= message.ftp_w;
        this.startedAt ??= message.at;
        this.setStatus(this.status ?? "running", -Infinity);
        break;
      case "Paused":
        this.setStatus("paused", message.at);
        break;
      case "Resumed":
        this.setStatus("running", message.at);
        break;
      case "Finished":
        this.setStatus("finished", message.at);
        break;
      case "Discarded":
        this.setStatus("discarded", message.at);
        break;
      case "LapMarked":
        this.laps = Math.max(this.laps, message.lap_number ?? this.laps + 1);
        break;
      case "TransportSwitched":
        this.transport = message.to_transport;
        this.clientId = message.to_client_id;
        break;
      // A rider's own target during a workout holds until the next step (docs/workouts.md).
      case "ManualTargetSet":
        if (this.workout) this.workout.manual = { value: message.value, stepIndex: message.step_index };
        break;
      case "ManualTargetEnded":
        if (this.workout) this.workout.manual = null;
        break;
      case "WorkoutIntensityChanged":
        if (this.workout) this.workout.intensity = message.percent;
        break;
      case "CommandAcknowledged":
        if (command) command.state = "acknowledged";
        break;
      case "CommandFailed":
        if (command) {
          command.state = "failed";
          command.reason = message.reason;
        }
        break;
      default:
        break;
    }
  }

  // The newest trainer command (ERG target, slope or resistance) and what became of it.
  currentCommand() {
    let newest = null;
    for (const command of this.commands.values()) {
      if (command.kind === "start" || command.kind === "stop") continue;
      if (!newest || command.t >= newest.t) newest = command;
    }
    return newest;
  }

  targetAt(t) {
    let found = null;
    for (const [time, watts] of this.targets) {
      if (time > t) break;
      found = watts;
    }
    return found;
  }

  valuesIn(second, key) {
    const bucket = this.buckets.get(second);
    if (!bucket) return [];
    const values = [];
    for (const sample of bucket.values()) if (Number.isFinite(sample[key])) values.push(sample[key]);
    return values;
  }

  // Big numbers at ride time `now`: power averaged over 3 s, the rest as last reported;
  // a value older than STALE_S is not shown.
  numbers(now) {
    const fresh = (field) => {
      const latest = this.latest[field];
      return latest && now - latest.t <= STALE_S ? latest.value : null;
    };
    let power = null;
    if (this.latestT !== null && now - this.latestT <= STALE_S) {
      const end = Math.floor(this.latestT);
      const values = [];
      for (let s = end - POWER_AVERAGE_S + 1; s <= end; s += 1) values.push(...this.valuesIn(s, FIELDS.power));
      power = mean(values);
    }
    return {
      power,
      hr: fresh("hr"),
      cadence: fresh("cadence"),
      speed: fresh("speed"),
      distance: this.latest.distance?.value ?? null,
    };
  }

  sensorStates(now) {
    return [...this.sensors.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, t]) => ({ name, ageS: Math.max(0, now - t), ok: now - t <= STALE_S }));
  }

  // uPlot data for the rolling chart: [times, power, ERG target, heart rate], one point a second.
  chartData() {
    const xs = [];
    const power = [];
    const target = [];
    const hr = [];
    if (this.latestT === null) return [xs, power, target, hr];
    const end = Math.floor(this.latestT);
    // A ride shorter than the window fills the chart instead of hugging its right edge.
    const first = Math.min(...this.buckets.keys());
    for (let s = Math.max(end - this.windowS + 1, first); s <= end; s += 1) {
      xs.push(s);
      power.push(mean(this.valuesIn(s, FIELDS.power)));
      target.push(this.targetAt(s + 0.999));
      hr.push(mean(this.valuesIn(s, FIELDS.hr)));
    }
    return [xs, power, target, hr];
  }
}
