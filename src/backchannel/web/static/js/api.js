// The one place that talks to the server. Every state-changing request
// carries the CSRF token from GET /api/session; a 401 sends the user to
// the server's login page.

export class ApiError extends Error {
  constructor(status, body) {
    const detail = body && typeof body === "object" ? body : { error: String(body || "") };
    super(detail.error || detail.detail || detail.message || `Request failed (${status})`);
    this.status = status;
    this.loc = detail.loc ?? null;
    this.line = detail.line ?? null;
    this.hint = detail.hint ?? "";
    this.body = detail;
  }
}

let session = null;

export function toLogin() {
  const next = encodeURIComponent(window.location.pathname + window.location.hash);
  window.location.assign(`/login?next=${next}`);
}

async function parse(response) {
  const type = response.headers.get("content-type") || "";
  if (type.includes("application/json")) return response.json();
  return response.text();
}

export async function getSession(force = false) {
  if (session && !force) return session;
  const response = await fetch("/api/session", { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (response.status === 401) {
    toLogin();
    throw new ApiError(401, { error: "Not signed in." });
  }
  if (!response.ok) throw new ApiError(response.status, await parse(response));
  session = await response.json();
  return session;
}

export async function request(method, url, { json, form, signal } = {}) {
  const headers = { Accept: "application/json" };
  let body;
  if (method !== "GET" && method !== "HEAD") {
    const s = await getSession();
    if (s && s.csrf) headers["X-CSRF-Token"] = s.csrf;
  }
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form; // multipart: the browser sets the boundary
  }
  const response = await fetch(url, { method, headers, body, credentials: "same-origin", signal });
  if (response.status === 401) {
    toLogin();
    throw new ApiError(401, { error: "Not signed in." });
  }
  const data = response.status === 204 ? null : await parse(response);
  if (!response.ok) {
    // A stale CSRF token (e.g. after the server restarted): refresh it once and retry.
    if (response.status === 403 && method !== "GET" && !request.retrying) {
      try {
        request.retrying = true;
        await getSession(true);
        return await request(method, url, { json, form, signal });
      } finally {
        request.retrying = false;
      }
    }
    throw new ApiError(response.status, data);
  }
  return data;
}

export const api = {
  get: (url, opts) => request("GET", url, opts),
  post: (url, json, opts = {}) => request("POST", url, { ...opts, json }),
  put: (url, json, opts = {}) => request("PUT", url, { ...opts, json }),
  del: (url, opts) => request("DELETE", url, opts),
  upload: (url, form) => request("POST", url, { form }),
};

export const enc = encodeURIComponent;

// ---- Cached per-case results: analysis and friends are pure functions of the
// case version, so keep the last few in memory while the user moves between views.
const cache = new Map();
const CACHE_LIMIT = 24;

export async function cached(key, fn) {
  if (cache.has(key)) return cache.get(key);
  const promise = fn();
  cache.set(key, promise);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value);
  try {
    return await promise;
  } catch (err) {
    cache.delete(key);
    throw err;
  }
}

export function forgetCase(id) {
  for (const key of [...cache.keys()]) if (key.includes(`|${id}|`)) cache.delete(key);
}
