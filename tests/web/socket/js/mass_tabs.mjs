// Many tabs of the official socket.io-client, each following docs/realtime.md's client: auth
// as a function sending last_event_id, the position taken from connection_established on the
// first start, the client's own reconnection with its default settings.
// Usage: node mass_tabs.mjs '{"url": "...", "tokens": ["...", ...], "tabsPerUser": 2}'
// Prints {"type": "ready", ...} once every tab has its first welcome; on a "report" line on
// stdin prints {"type": "report", "tabs": [...]} and exits. Times are CLOCK_MONOTONIC in ms
// (process.hrtime), the clock Python's time.monotonic() reads.
import { io } from "socket.io-client";
import { createInterface } from "node:readline";

const opts = JSON.parse(process.argv[2]);
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");
const now = () => Number(process.hrtime.bigint() / 1000n) / 1000;
const key = (id) => id.split("-").map(Number);
const newer = (a, b) => { const [x, y] = key(a), [p, q] = key(b); return x > p || (x === p && y > q); };

const tabs = [];
let welcomed = 0;

opts.tokens.forEach((token, user) => {
  for (let n = 0; n < (opts.tabsPerUser ?? 1); n++) {
    const tab = { user, received: [], resyncs: 0, disorder: 0, welcomes: [], disconnects: [],
                  errors: [], attempts: [], start: null, last: null };
    const socket = io(`${opts.url}/chat`, {
      transports: opts.transports ?? ["websocket"],
      auth: (cb) => cb(tab.last ? { token, last_event_id: tab.last } : { token }),
    });
    socket.on("connection_established", (data) => {
      tab.welcomes.push(now());
      if (tab.welcomes.length === 1) {    // the first start: the position to follow from
        tab.start = data.last_event_id;
        tab.last = data.last_event_id;
        if (++welcomed === tabs.length) print({ type: "ready", tabs: tabs.length, at: now() });
      }
    });
    socket.on("resync", () => { tab.resyncs++; });
    socket.on("connect_error", (err) => { tab.errors.push([now(), String(err.message)]); });
    socket.io.on("reconnect_attempt", () => { tab.attempts.push(now()); });
    socket.on("disconnect", () => { tab.disconnects.push(now()); });
    socket.onAny((name, data) => {
      if (!data || typeof data.id !== "string") return;
      if (tab.last !== null && !newer(data.id, tab.last)) { tab.disorder++; return; }
      tab.last = data.id;
      tab.received.push([data.id, now()]);
    });
    tab.socket = socket;
    tabs.push(tab);
  }
});

createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() !== "report") return;
  const report = tabs.map(({ socket, ...tab }) => ({ ...tab, connected: socket.connected }));
  process.stdout.write(JSON.stringify({ type: "report", tabs: report }) + "\n", () => {
    tabs.forEach((tab) => tab.socket.close());
    process.exit(0);
  });
});
