// The rider's calendar: days are counted in the athlete's IANA time zone, not the browser's
// and not UTC (docs/dashboard.md). ISO days ("2026-06-01") throughout.

export function browserTimeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

// The calendar day in `zone` at `moment`.
export function todayIn(zone, moment = new Date()) {
  const format = new Intl.DateTimeFormat("en-US", { timeZone: zone || "UTC", year: "numeric", month: "2-digit", day: "2-digit" });
  const parts = Object.fromEntries(format.formatToParts(moment).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export function monthsBefore(isoDay, months) {
  const moment = new Date(`${isoDay}T00:00:00Z`);
  moment.setUTCMonth(moment.getUTCMonth() - months);
  return moment.toISOString().slice(0, 10);
}

// The zones the browser knows, with the given ones (the athlete's, the browser's) first.
export function timeZones(...first) {
  const known = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set([...first.filter(Boolean), "UTC", ...[...known].sort()])];
}
