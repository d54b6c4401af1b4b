// The one load generator for every peer (benchmark only): socket.io-client for Socket.IO
// servers, plain `ws` for the raw WebSocket peer. Driven by JSON lines on stdin, answers with
// JSON lines on stdout. Every wait is bounded by a timeout. Traffic to 127.0.0.1 only.
'use strict';
const readline = require('readline');
const { io } = require('socket.io-client');
const WebSocket = require('ws');

const cfg = JSON.parse(process.argv[2]);   // {url, kind: "sio"|"raw", transport}
const LOCAL = /^(http|ws):\/\/127\.0\.0\.1:\d+$/;
if (!LOCAL.test(cfg.url)) throw new Error('127.0.0.1 only');

const clients = [];
const doneAt = new Map();   // run_id -> arrival times of agent_done, one per tab
// Long-polling like a browser or a mobile SDK: HTTP/1.1 keep-alive. Without an agent, the
// XHR shim socket.io-client uses under Node opens a new TCP connection for every poll.
const keepAlive = new (require('http').Agent)({ keepAlive: true });
let latencies = [];
let sends = [];             // each delivery's send time, parallel to `latencies`
let firstArrival = 0;
let lastArrival = 0;
let minT = Infinity;
let reordered = 0;

// CLOCK_MONOTONIC in ms, the clock the servers stamp each event's send time `t` with.
const now = () => Number(process.hrtime.bigint()) / 1e6;

// The load generator's own stalls. While armed, a 1 ms timer notes every time this event
// loop could not run it within STALL_MS of when it was due (this process busy, its GC, or
// the machine not running it). A delivery whose flight overlaps a stall has an arrival
// time that says when this process looked, not when the bytes came: such deliveries are
// counted and set aside for the "clear" percentiles (the plain ones keep them).
const STALL_MS = 1;
let stalls = [];            // [start, end] pairs, in time order
let watchTimer = null;
function watch() {
  let due = now() + 1;
  const tick = () => {
    const t = now();
    if (t - due > STALL_MS) stalls.push([due, t]);
    due = t + 1;
    watchTimer = setTimeout(tick, 1);
  };
  watchTimer = setTimeout(tick, 1);
}
function unwatch() {
  if (watchTimer) clearTimeout(watchTimer);
  watchTimer = null;
}

// Latencies of deliveries whose [send, arrival] overlaps no stall, sorted.
function clearLatencies() {
  const out = [];
  let j = 0;
  const order = Array.from(sends.keys()).sort((a, b) => sends[a] - sends[b]);
  for (const i of order) {
    const start = sends[i];
    const end = start + latencies[i];
    while (j < stalls.length && stalls[j][1] < start) j++;   // stalls over before it left
    let k = j;
    let hit = false;
    while (k < stalls.length && stalls[k][0] <= end) { if (stalls[k][1] >= start) { hit = true; break; } k++; }
    if (!hit) out.push(latencies[i]);
  }
  return Float64Array.from(out).sort();
}

function onEvent(c, data) {
  const t = now();
  c.received++;
  if (data.seq !== c.lastSeq + 1) reordered += data.seq <= c.lastSeq ? 1 : 0;
  if (data.seq > c.lastSeq) c.lastSeq = data.seq;
  latencies.push(t - data.t);
  sends.push(data.t);
  if (!firstArrival) firstArrival = t;
  lastArrival = t;
  if (data.t < minT) minT = data.t;
}

function openClient(token, url, keepalive) {
  return new Promise((resolve) => {
    const c = { received: 0, lastSeq: 0, sock: null, ok: false };
    const started = now();
    const done = (ok) => {
      if (c.settled) return;
      c.settled = true;
      c.ok = ok;
      c.connectMs = now() - started;
      resolve(c);
    };
    if (cfg.kind === 'raw') {
      const ws = new WebSocket(url + '/ws?token=' + encodeURIComponent(token));
      c.sock = ws;
      ws.on('message', (buf) => {
        const [name, data] = JSON.parse(buf.toString());
        if (name === 'task_created') onEvent(c, data);
        else if (name === 'connection_established') done(true);
      });
      ws.on('error', () => done(false));
      ws.on('close', () => done(false));
    } else {
      const s = io(url + '/chat', {
        auth: { token }, transports: [cfg.transport], reconnection: false, forceNew: true,
        timeout: 30000, ...(keepalive ? { agent: keepAlive } : {}),
      });
      c.sock = s;
      s.on('connection_established', () => done(true));
      s.on('task_created', (data) => onEvent(c, data));
      s.on('agent_done', (data) => {
        const seen = doneAt.get(data.run_id) || [];
        seen.push(now());
        doneAt.set(data.run_id, seen);
        noteDone(data.run_id);
      });
      s.on('connect_error', () => done(false));
    }
  });
}

function pct(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function connect(msg) {
  if (msg.url && !LOCAL.test(msg.url)) throw new Error('127.0.0.1 only');
  const tokens = [];
  for (const tok of msg.tokens) for (let i = 0; i < msg.tabs; i++) tokens.push(tok);
  const started = now();
  const deadline = started + msg.timeout * 1000;
  let next = 0;
  const results = [];
  async function worker() {
    while (next < tokens.length && now() < deadline) {
      const c = await openClient(tokens[next++], msg.url || cfg.url, msg.keepalive);
      results.push(c);
      clients.push(c);
    }
  }
  await Promise.all(Array.from({ length: Math.min(msg.concurrency, tokens.length) }, worker));
  const ok = results.filter((c) => c.ok);
  const times = ok.map((c) => c.connectMs).sort((a, b) => a - b);
  return { connected: ok.length, failed: tokens.length - ok.length, elapsed_ms: now() - started,
           connect_ms: { p50: pct(times, 50), p99: pct(times, 99) } };
}

function arm() {
  latencies = [];
  sends = [];
  stalls = [];
  unwatch();
  watch();
  firstArrival = 0;
  lastArrival = 0;
  minT = Infinity;
  reordered = 0;
  for (const c of clients) c.base = c.received;
  return { armed: true, clients: clients.length };
}

function wait(msg) {
  const live = clients.filter((c) => c.ok);
  const expected = live.length * msg.per_client;
  const deadline = now() + msg.timeout * 1000;
  return new Promise((resolve) => {
    const check = () => {
      let received = 0;
      for (const c of live) received += c.received - c.base;
      if (received >= expected || now() > deadline) {
        unwatch();
        const lat = Float64Array.from(latencies).sort();
        const clear = clearLatencies();
        const from = minT === Infinity ? lastArrival : minT;   // the first send
        const span = lastArrival - from;
        let stalled = 0;
        for (const [a, b] of stalls) if (b >= from && a <= lastArrival) stalled += b - a;
        resolve({
          received, expected, lost: Math.max(0, expected - received), reordered,
          first_ms: firstArrival, last_ms: lastArrival, min_t: minT === Infinity ? null : minT,
          lat: { p50: pct(lat, 50), p99: pct(lat, 99), max: lat.length ? lat[lat.length - 1] : null },
          clear: { n: clear.length, p50: pct(clear, 50), p99: pct(clear, 99) },
          stalls: { count: stalls.length, ms: stalled, share: span > 0 ? stalled / span : null },
        });
      } else {
        setTimeout(check, 2);
      }
    };
    check();
  });
}

function close() {
  for (const c of clients) {
    try {
      if (cfg.kind === 'raw') c.sock.terminate(); else c.sock.disconnect();
    } catch (e) { /* already closed */ }
  }
  return { closed: clients.length };
}

// Agent path: each user keeps one conversation and sends `rounds` messages in it, one
// after another (all users at once). `think_ms` > 0: after each answer the user waits
// think_ms x (0.5..1.5) before the next message, and users start spread over think_ms
// (people chatting); 0: the next message goes as soon as the last is answered (a closed
// loop: what the server can take). Latency = HTTP request start -> agent_done seen by all
// `tabs` tabs of the user.
const doneWaiters = new Map();   // run_id -> resolve, called once all tabs have seen it
function noteDone(runId) {
  const w = doneWaiters.get(runId);
  if (w && (doneAt.get(runId) || []).length >= w.tabs) { doneWaiters.delete(runId); w.resolve(); }
}
function untilDone(runId, tabs, timeoutMs) {
  if ((doneAt.get(runId) || []).length >= tabs) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => { doneWaiters.delete(runId); resolve(); }, timeoutMs);
    doneWaiters.set(runId, { tabs, resolve: () => { clearTimeout(timer); resolve(); } });
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function chat(msg) {
  const lat = [];
  let failed = 0;
  const think = msg.think_ms || 0;
  async function oneUser(u) {
    let conversation = null;
    if (think) await sleep(Math.random() * think);
    for (let r = 0; r < msg.rounds; r++) {
      if (r && think) await sleep(think * (0.5 + Math.random()));
      const t0 = now();
      const payload = { message: msg.message };
      if (conversation) payload.conversation_id = conversation;
      const res = await fetch(cfg.url + '/api/' + u.id + '/chat', {
        method: 'POST', body: JSON.stringify(payload),
        headers: { 'content-type': 'application/json', authorization: 'Bearer ' + u.token },
      });
      const body = await res.json();
      if (!res.ok) { failed++; continue; }
      conversation = body.conversation_id;
      await untilDone(body.run_id, msg.tabs, msg.timeout * 1000);
      const seen = doneAt.get(body.run_id) || [];
      doneAt.delete(body.run_id);
      if (seen.length < msg.tabs) { failed++; continue; }
      lat.push(Math.max(...seen) - t0);
    }
  }
  const started = now();
  await Promise.all(msg.users.map(oneUser));
  const seconds = (now() - started) / 1000;
  lat.sort((a, b) => a - b);
  return { runs: lat.length, failed, p50: pct(lat, 50), p99: pct(lat, 99), max: lat[lat.length - 1],
           runs_s: lat.length / seconds };
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const msg = JSON.parse(line);
  let out;
  if (msg.cmd === 'connect') out = await connect(msg);
  else if (msg.cmd === 'arm') out = arm();
  else if (msg.cmd === 'wait') out = await wait(msg);
  else if (msg.cmd === 'chat') out = await chat(msg);
  else if (msg.cmd === 'close') out = close();
  else out = { error: 'unknown command ' + msg.cmd };
  process.stdout.write(JSON.stringify(out) + '\n');
  if (msg.cmd === 'close') setTimeout(() => process.exit(0), 200);
});
rl.on('close', () => process.exit(0));
