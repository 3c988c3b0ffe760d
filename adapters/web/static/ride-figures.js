// The summary figures of a ride (from the projections' session summary), as label/value pairs.

import { duration, km, number, withUnit } from "./format.js";

export const FIGURES = [
  ["duration_s", "Duration", (v) => duration(v)],
  ["moving_time_s", "Moving time", (v) => duration(v)],
  ["distance_m", "Distance", km],
  ["avg_power_w", "Average power", (v) => withUnit(v, "W")],
  ["max_power_w", "Max power", (v) => withUnit(v, "W")],
  ["normalized_power_w", "Normalized power (NP)", (v) => withUnit(v, "W")],
  ["xpower_w", "xPower", (v) => withUnit(v, "W")],
  ["intensity_factor", "Intensity factor (IF)", (v) => number(v, 2)],
  ["tss", "Training stress (TSS)", (v) => number(v)],
  ["variability_index", "Variability index (VI)", (v) => number(v, 2)],
  ["work_kj", "Work", (v) => withUnit(v, "kJ")],
  ["avg_hr_bpm", "Average heart rate", (v) => withUnit(v, "bpm")],
  ["max_hr_bpm", "Max heart rate", (v) => withUnit(v, "bpm")],
  ["avg_cadence_rpm", "Average cadence", (v) => withUnit(v, "rpm")],
  ["max_cadence_rpm", "Max cadence", (v) => withUnit(v, "rpm")],
  ["eftp_w", "Estimated FTP", (v) => withUnit(v, "W")],
  ["efficiency_factor", "Efficiency factor (EF)", (v) => number(v, 2)],
  ["decoupling_pct", "Aerobic decoupling (Pa:HR)", (v) => withUnit(v, "%", 1)],
  ["rmssd_ms", "HRV (RMSSD)", (v) => withUnit(v, "ms")],
  ["cp_w", "Critical power (CP)", (v) => withUnit(v, "W")],
  ["w_prime_j", "W′", (v) => withUnit(v == null ? null : v / 1000, "kJ", 1)],
  ["wprime_expended_kj", "W′ expended", (v) => withUnit(v, "kJ", 1)],
  // Shown as computed: below 0 means CP or W′ is set too low (docs/metrics.md).
  ["wbal_min_j", "Lowest W′bal", (v) => withUnit(v == null ? null : v / 1000, "kJ", 1)],
];

// The figures the summary has a value for, formatted.
export function figures(summary) {
  return FIGURES.filter(([key]) => summary?.[key] !== null && summary?.[key] !== undefined).map(
    ([key, label, format]) => ({ key, label, text: format(summary[key]) }),
  );
}

// When the ride began: its first sample (an imported ride's own date), else its start.
export function rideStart(session) {
  return session.summary?.first_sample_at ?? session.started_at;
}
