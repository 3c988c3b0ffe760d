// How numbers, durations and dates are shown. Missing values show as an en dash.

export const NONE = "–";

export function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return NONE;
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(s).padStart(2, "0")}`;
}

export function shortDuration(seconds) {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return seconds % 60 ? `${(seconds / 60).toFixed(1)} min` : `${seconds / 60} min`;
  return `${(seconds / 3600).toFixed(seconds % 3600 ? 1 : 0)} h`;
}

export function number(value, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  return value.toLocaleString(undefined, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function withUnit(value, unit, digits = 0) {
  const text = number(value, digits);
  return text === NONE ? NONE : `${text} ${unit}`;
}

export function km(metres) {
  return withUnit(metres === null || metres === undefined ? null : metres / 1000, "km", 1);
}

export function dateTime(iso) {
  if (!iso) return NONE;
  return new Date(iso).toLocaleString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

// A time of day (epoch seconds) in the browser's locale: 14:05 in Berlin, 2:05 PM in Boston.
export function clockTime(epochS, withSeconds = false) {
  if (epochS === null || epochS === undefined || !Number.isFinite(epochS)) return NONE;
  return new Date(epochS * 1000).toLocaleTimeString(undefined, {
    hour: "numeric",
    minute: "2-digit",
    ...(withSeconds ? { second: "2-digit" } : {}),
  });
}

export function day(iso) {
  if (!iso) return NONE;
  return new Date(iso.length === 10 ? `${iso}T00:00:00` : iso).toLocaleDateString(undefined, {
    day: "numeric",
    month: "short",
    year: "numeric",
  });
}
