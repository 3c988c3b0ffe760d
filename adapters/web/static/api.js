// The API client: the signed-in user's tokens, requests with them, and token refresh.
//
// Tokens live in localStorage so that every tab shares them. A refresh token works once
// (reusing one after the API's short grace period signs the device out), so refreshing is
// serialised across tabs with a Web Lock, and a tab that waited for the lock uses the
// tokens the other tab just stored.

const STORAGE_KEY = "wattlog.auth";
const REFRESH_MARGIN_MS = 30_000;

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export class SignedOut extends Error {}

function load() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY));
  } catch {
    return null;
  }
}

export function storeTokens(body) {
  localStorage.setItem(
    STORAGE_KEY,
    JSON.stringify({
      access: body.access_token,
      refresh: body.refresh_token,
      expiresAt: Date.now() + body.expires_in * 1000,
      userId: body.user_id,
    }),
  );
}

export function clearTokens() {
  localStorage.removeItem(STORAGE_KEY);
}

export function isSignedIn() {
  return load() !== null;
}

let refreshingInThisTab = null;

async function refreshTokens(used) {
  const refresh = async () => {
    const current = load();
    if (!current) throw new SignedOut();
    if (current.refresh !== used.refresh) return current; // another tab refreshed meanwhile
    const response = await fetch("/api/auth/refresh", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: current.refresh }),
    });
    if (!response.ok) {
      if (response.status === 401) {
        clearTokens();
        throw new SignedOut();
      }
      throw new ApiError(response.status, "refresh_failed", "could not refresh the session");
    }
    storeTokens(await response.json());
    return load();
  };
  if (navigator.locks) return navigator.locks.request("wattlog-token-refresh", refresh);
  refreshingInThisTab ??= refresh().finally(() => {
    refreshingInThisTab = null;
  });
  return refreshingInThisTab;
}

async function currentTokens() {
  const tokens = load();
  if (!tokens) throw new SignedOut();
  if (tokens.expiresAt - Date.now() < REFRESH_MARGIN_MS) return refreshTokens(tokens);
  return tokens;
}

async function errorFrom(response) {
  let error = null;
  if ((response.headers.get("Content-Type") || "").includes("json")) {
    error = (await response.json().catch(() => null))?.error;
  }
  return new ApiError(
    response.status,
    error?.code ?? "http_error",
    error?.message ?? `${response.status} ${response.statusText}`,
    error?.field ?? null,
  );
}

async function bodyOf(response) {
  if (response.status === 204) return null;
  if ((response.headers.get("Content-Type") || "").includes("json")) return response.json();
  return response.text();
}

// A request with the user's access token; JSON in (`body`) or a FormData (`form`), JSON out.
export async function api(path, { method = "GET", body, form, signal } = {}) {
  for (let attempt = 0; ; attempt += 1) {
    const tokens = await currentTokens();
    const headers = { Authorization: `Bearer ${tokens.access}` };
    let payload;
    if (form) {
      payload = form;
    } else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const response = await fetch(path, { method, headers, body: payload, signal });
    if (response.status === 401) {
      if (attempt === 0) {
        await refreshTokens(tokens);
        continue;
      }
      clearTokens();
      throw new SignedOut();
    }
    if (!response.ok) throw await errorFrom(response);
    return bodyOf(response);
  }
}

// Requests that need no token: registering and signing in.
export async function publicPost(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await errorFrom(response);
  return bodyOf(response);
}

export function goToSignIn() {
  const next = location.pathname + location.search;
  location.assign(`/signin?next=${encodeURIComponent(next)}`);
}

export async function signOut() {
  const tokens = load();
  clearTokens();
  if (tokens) {
    await fetch("/api/auth/logout", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: tokens.refresh }),
    }).catch(() => {});
  }
  location.assign("/signin");
}

export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
