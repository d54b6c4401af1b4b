// The live connection: one Socket.IO client per page, on the /chat namespace.
//
// - Reconnection is the socket.io client's own (capped exponential backoff with jitter);
//   we only observe it, to show "Reconnecting (attempt n, next try in s)", and "Offline"
//   once the server has been out of reach for a while. The cap is low while the page is
//   visible (someone is looking: back within seconds of the server) and high while hidden;
//   coming back to the tab, or the network coming back, tries at once.
// - `auth` is a function: every attempt sends the current (short-lived) token and the id
//   of the last event applied, so the server replays what was missed while away.
// - Each stream event id is applied once. `resync` tells the page to reload over HTTP.
// - unauthorized -> log in; token_expired -> fetch a fresh token and reconnect.
// - Signal strength comes from real round trips of the `ping` client event.
import { EV, CLIENT, NAMESPACE } from "/js/protocol.js";
import { meta } from "./dom.js";
import { goToLogin } from "./api.js";

const STREAM_START = "0-0";       // "from the beginning of my stream"
const SEEN_MAX = 5000;
const RTT_SAMPLES = 5;
export const DELAY_MAX_VISIBLE_MS = 3000;   // the backoff's cap while the page is seen
export const DELAY_MAX_HIDDEN_MS = 15000;   // ... and while it is in a background tab
export const OFFLINE_AFTER_MS = 8000;       // out of reach this long: "Offline", not "Reconnecting"
const RETRY_NOW_GAP_MS = 2000;              // focus/online retries, at most this often

class TokenSource {
  constructor() {
    this.token = meta("tp-socket-token");
    this.validUntil = Date.now() + Number(meta("tp-socket-token-expires-in") || 0) * 1000;
  }

  async get() {
    return this.token && this.validUntil - Date.now() > 30_000 ? this.token : this.refresh();
  }

  async refresh() {
    const response = await fetch("/api/auth/socket-token", {
      credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" },
    });
    if (response.status === 401) throw Object.assign(new Error("unauthorized"), { unauthorized: true });
    if (!response.ok) throw new Error(`token refresh failed (HTTP ${response.status})`);
    const data = await response.json();
    this.token = data.token;
    this.validUntil = Date.now() + data.expires_in * 1000;
    return this.token;
  }
}

export function barsFor(medianMs) {
  if (!Number.isFinite(medianMs)) return 0;
  if (medianMs <= 150) return 4;
  if (medianMs <= 400) return 3;
  if (medianMs <= 1000) return 2;
  return 1;
}

/** `?transport=polling` (or `=auto`) is remembered for the tab's session, so the pages it
 *  moves to connect the same way. */
function transportChoice() {
  const asked = new URLSearchParams(location.search).get("transport");
  try {
    if (asked === "polling") sessionStorage.setItem("tp-transport", "polling");
    else if (asked === "auto" || asked === "websocket") sessionStorage.removeItem("tp-transport");
    return sessionStorage.getItem("tp-transport");
  } catch {
    return asked;           // storage blocked: this page only
  }
}

export class Live {
  constructor() {
    this.userId = meta("tp-user-id");
    this.lastEventId = meta("tp-last-event-id") || STREAM_START;
    this.pingMs = Number(meta("tp-ping-interval")) || 5000;
    this.forcePolling = transportChoice() === "polling" || meta("tp-transport") === "polling";
    this.tokens = new TokenSource();
    this.seen = new Set();
    this.handlers = new Map();
    this.statusListeners = new Set();
    this.status = { state: "connecting", transport: null, attempt: 0, nextTryAt: null,
                    rttMs: null, medianMs: null, bars: 0, reason: "" };
    this.everConnected = false;
    this.authFailures = 0;
    this.rtts = [];
    this.socket = null;
    this.established = null;
    this.downSince = null;        // when the connection was last lost (null: live)
    this.retriedAt = 0;
  }

  get connected() { return Boolean(this.socket && this.socket.connected); }

  on(name, fn) {
    if (!this.handlers.has(name)) this.handlers.set(name, new Set());
    this.handlers.get(name).add(fn);
    return this;
  }

  onStatus(fn) { this.statusListeners.add(fn); fn(this.status); return this; }

  setStatus(patch) {
    Object.assign(this.status, patch);
    for (const fn of this.statusListeners) fn(this.status);
  }

  start() {
    if (typeof window.io !== "function") {
      this.setStatus({ state: "offline", reason: "The live-connection script did not load." });
      return this;
    }
    const socket = this.socket = window.io(NAMESPACE, {
      transports: this.forcePolling ? ["polling"] : ["polling", "websocket"],
      upgrade: !this.forcePolling,
      reconnectionDelay: 1000,
      reconnectionDelayMax: this.delayMax(),
      randomizationFactor: 0.5,
      timeout: 8000,
      auth: (cb) => this.authPayload(cb),
    });
    this.watchManager(socket.io);
    socket.on("connect", () => this.onConnect());
    socket.on("disconnect", (reason) => this.onDisconnect(reason));
    socket.on("connect_error", (err) => this.onConnectError(err));
    for (const name of Object.values(EV)) socket.on(name, (data) => this.dispatch(name, data));
    window.addEventListener("offline", () => this.onBrowserOffline());
    window.addEventListener("online", () => this.onBrowserOnline());
    window.addEventListener("focus", () => this.retryNow());
    document.addEventListener("visibilitychange", () => {
      socket.io.reconnectionDelayMax(this.delayMax());
      if (!document.hidden) this.retryNow();
    });
    return this;
  }

  delayMax() { return document.hidden ? DELAY_MAX_HIDDEN_MS : DELAY_MAX_VISIBLE_MS; }

  /** "reconnecting" for a short gap; "offline" once it has lasted (or it never connected). */
  downState() {
    if (!this.everConnected) return "offline";
    this.downSince ??= Date.now();
    return Date.now() - this.downSince >= OFFLINE_AFTER_MS ? "offline" : "reconnecting";
  }

  authPayload(cb) {
    this.tokens.get().then(
      (token) => cb({ token, last_event_id: this.lastEventId }),
      (err) => {
        if (err.unauthorized) { goToLogin(); return; }
        cb({ token: this.tokens.token, last_event_id: this.lastEventId });  // network trouble
      });
  }

  watchManager(manager) {
    const backoff = manager.backoff;
    if (backoff && typeof backoff.duration === "function") {
      // Observe (not replace) the client's own backoff to show when the next try is due.
      const duration = backoff.duration.bind(backoff);
      backoff.duration = () => {
        const ms = duration();
        this.setStatus({ state: this.downState(), attempt: backoff.attempts,
                         nextTryAt: Date.now() + ms, delayMs: ms });
        return ms;
      };
    }
    manager.on("reconnect_attempt", (attempt) => this.setStatus({ attempt, nextTryAt: null }));
    manager.on("reconnect_failed", () => this.setStatus({ state: "offline", nextTryAt: null }));
    manager.on("open", () => {
      manager.engine.on("upgrade", (transport) => this.setStatus({ transport: transport.name }));
    });
  }

  onConnect() {
    this.everConnected = true;
    this.downSince = null;
    this.authFailures = 0;
    this.rtts = [];
    this.setStatus({ state: "live", transport: this.socket.io.engine.transport.name, attempt: 0,
                     nextTryAt: null, delayMs: null, reason: "", bars: 0, medianMs: null,
                     rttMs: null });
    this.startPing();
  }

  onDisconnect(reason) {
    this.stopPing();
    if (reason === "io client disconnect") return;   // closed on purpose (see retryNow)
    this.downSince ??= Date.now();
    if (reason === "io server disconnect") {
      // The server ended this connection (token expired, or a restart). The client does not
      // retry these by itself: connect again; `auth` fetches a fresh token when needed, and
      // if the server is down the client's own backoff takes over.
      this.setStatus({ state: "reconnecting", attempt: 1, nextTryAt: null });
      this.socket.connect();
      return;
    }
    this.setStatus({ state: "reconnecting" });   // the client schedules the next try
  }

  onConnectError(err) {
    const code = err && err.data && err.data.code;
    if (code !== "unauthorized" && code !== "token_expired") {
      if (!this.everConnected && !this.status.nextTryAt) this.setStatus({ state: "connecting" });
      return;   // a network failure: the client's reconnection takes it from here
    }
    // Refused by the server: the client does not retry these by itself. Renew the token once;
    // if the session itself is gone, log in; never loop.
    this.authFailures += 1;
    if (this.authFailures > 2) {
      this.setStatus({ state: "offline", nextTryAt: null,
                       reason: "The server refused the live connection." });
      return;
    }
    this.tokens.refresh().then(() => this.socket.connect(), (e) => {
      if (e.unauthorized) goToLogin();
      else this.setStatus({ state: "offline", reason: "Could not renew the live connection." });
    });
  }

  onBrowserOffline() {
    // The browser knows the network is gone: drop the dead connection now, so the client
    // starts reconnecting at once instead of waiting for a heartbeat timeout.
    if (this.socket && this.socket.io.engine) this.socket.io.engine.close();
  }

  onBrowserOnline() { this.retryNow(true); }    // the network is back: try now

  /** Try now instead of waiting out the backoff, when a try is only waiting for its time
   *  (not while one is under way). The client's own reconnection takes over if it fails. */
  retryNow(force = false) {
    const socket = this.socket;
    if (!socket || socket.connected || !this.everConnected) return;
    if (!force && (!this.status.nextTryAt || Date.now() - this.retriedAt < RETRY_NOW_GAP_MS)) return;
    this.retriedAt = Date.now();
    socket.disconnect();
    socket.connect();
  }

  dispatch(name, data) {
    if (data && typeof data.id === "string" && data.id) {
      if (this.seen.has(data.id)) return;          // applied already (replay overlap)
      this.seen.add(data.id);
      if (this.seen.size > SEEN_MAX) this.seen.delete(this.seen.values().next().value);
      this.lastEventId = data.id;
    }
    if (name === EV.connection_established) this.established = data;
    if (name === EV.token_expired) this.tokens.validUntil = 0;   // fetch a new one to come back
    if (name === EV.resync && this.established && this.established.last_event_id) {
      this.lastEventId = this.established.last_event_id;   // the page reloads everything
    }
    for (const fn of this.handlers.get(name) || []) {
      try { fn(data); } catch (error) { console.error(`handling ${name} failed`, error); }
    }
  }

  /** Emit a client event and wait for its ack (rejects on timeout or when offline). */
  request(name, payload, timeoutMs = 10_000) {
    return new Promise((resolve, reject) => {
      if (!this.connected) { reject(new Error("not connected")); return; }
      this.socket.timeout(timeoutMs).emit(name, payload, (err, ack) => {
        if (err) reject(err); else resolve(ack || {});
      });
    });
  }

  startPing() {
    this.stopPing();
    this.pingOnce();
    this.pingTimer = setInterval(() => this.pingOnce(), this.pingMs);
  }

  stopPing() { clearInterval(this.pingTimer); this.pingTimer = null; }

  pingOnce() {
    if (!this.connected) return;
    const started = performance.now();
    this.request(CLIENT.ping, {}, Math.max(2000, this.pingMs - 500)).then(
      () => this.recordRtt(performance.now() - started),
      () => { if (this.connected) this.recordRtt(Infinity); });
  }

  recordRtt(ms) {
    this.rtts.push(ms);
    if (this.rtts.length > RTT_SAMPLES) this.rtts.shift();
    const sorted = [...this.rtts].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    this.setStatus({ rttMs: ms, medianMs: median, bars: barsFor(median) });
  }
}
