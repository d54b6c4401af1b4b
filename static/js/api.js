// JSON over HTTP with the session cookie. Errors become ApiError with a readable message.

export class ApiError extends Error {
  constructor(status, code, message, body = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
  /** {field: message} for validation errors (422). */
  get fields() {
    const out = {};
    for (const f of this.body?.error?.fields || []) {
      const name = String(f.field || "").split(".").pop();
      if (name && !(name in out)) out[name] = String(f.message || "Invalid value");
    }
    return out;
  }
}

export function goToLogin() {
  const next = location.pathname + location.search;
  location.assign("/login?next=" + encodeURIComponent(next));
}

function messageOf(status, body) {
  const err = body && body.error;
  if (err && typeof err.message === "string" && err.message) return err.message;
  if (status === 0) return "Could not reach the server. Check your connection.";
  if (status >= 500) return "Something went wrong on our side. Please try again.";
  return `The request failed (HTTP ${status}).`;
}

export async function api(method, path, body, { signal } = {}) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" }, signal };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "network", messageOf(0, null));
  }
  let data = null;
  if (response.status !== 204) {
    try { data = await response.json(); } catch { data = null; }
  }
  if (response.status === 401) {
    goToLogin();
    throw new ApiError(401, data?.error?.code || "unauthorized", "Your session has ended; please log in.", data);
  }
  if (!response.ok) {
    throw new ApiError(response.status, data?.error?.code || `http_${response.status}`,
      messageOf(response.status, data), data);
  }
  return data;
}
