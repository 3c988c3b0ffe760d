// Every API path the dashboard calls, in one place.

const sessions = "/api/sessions";
const q = (query) => {
  const text = new URLSearchParams(
    Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ""),
  ).toString();
  return text ? `?${text}` : "";
};

export const paths = {
  athletes: "/api/athletes",
  athlete: (id) => `/api/athletes/${id}`,
  athleteFtp: (id) => `/api/athletes/${id}/ftp`,
  athletePowerThresholds: (id) => `/api/athletes/${id}/power-thresholds`,
  athleteHrThresholds: (id) => `/api/athletes/${id}/hr-thresholds`,
  athleteTimeZone: (id) => `/api/athletes/${id}/time-zone`,
  athleteRides: (id) => `/api/athletes/${id}/rides`,
  bridges: (includeRevoked = false) => `/api/bridges${includeRevoked ? "?include_revoked=1" : ""}`,
  bridge: (id) => `/api/bridges/${id}`,
  sessions: (query = {}) => `${sessions}${q(query)}`,
  session: (id) => `${sessions}/${id}`,
  sessionAction: (id, action) => `${sessions}/${id}/${action}`,
  commands: (id) => `${sessions}/${id}/commands`,
  sessionEvents: (id, query = {}) => `${sessions}/${id}/events${q(query)}`,
  // From the projections (docs/projections.md): 1 s series of a ride, per-athlete analytics.
  sessionSeries: (id) => `${sessions}/${id}/series`,
  fitness: (id, query) => `/api/athletes/${id}/fitness${q(query)}`,
  periodSummaries: (id, query) => `/api/athletes/${id}/summaries${q(query)}`,
  bestEfforts: (id, query) => `/api/athletes/${id}/best-efforts${q(query)}`,
  weeklyZones: (id, query) => `/api/athletes/${id}/zones${q(query)}`,
  athleteCurve: (id, query) => `/api/athletes/${id}/power-curve${q(query)}`,
  wsTicket: "/api/ws-tickets",
};

// Lists come bare or wrapped in an object ({"fitness": [...]}); take whichever arrived.
export function listFrom(body, ...keys) {
  if (Array.isArray(body)) return body;
  for (const key of keys) if (Array.isArray(body?.[key])) return body[key];
  return [];
}

export function socketUrl(path) {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
}
