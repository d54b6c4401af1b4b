// Mass reconnect (benchmark only): many tabs of the official socket.io-client, each with the
// client's own reconnection at its defaults (1 s delay, ±50 % jitter). Every tab follows
// docs/realtime.md's client — `auth` is a function sending {token, last_event_id}, the
// position taken from each stream event's `id` (and from connection_established on the first
// start) — against both servers: the Node peer ignores last_event_id, and its own
// Connection State Recovery works under the same client (pid and offset are added by it).
// Failover: each tab is given the list of server URLs; on every reconnection attempt it moves
// to the next one (a stand-in for a balancer that stops sending traffic to a dead process).
// Driven by JSON lines on stdin, answers with JSON lines on stdout; every wait is bounded.
// Times are CLOCK_MONOTONIC in ms (process.hrtime), the clock the servers stamp `t` with.
'use strict';
const readline = require('readline');
const { io } = require('socket.io-client');

const LOCAL = /^http:\/\/127\.0\.0\.1:\d+$/;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const tabs = [];

function openTab(user, token, urls, first) {
  const tab = {
    user, seqs: new Set(), lastSeq: 0, dup: 0, reordered: 0, resyncs: 0, unrecovered: 0,
    welcomes: 0, last: null, head: null, home: first, url: first, disconnectedAt: null, backAt: null,
    caughtAt: null, attemptAt: null, attempts: 0, errors: 0, ready: false,
  };
  let next = urls.indexOf(first);
  const socket = io(first + '/chat', {
    transports: ['websocket'], forceNew: true,
    auth: (cb) => cb(tab.last ? { token, last_event_id: tab.last } : { token }),
  });
  socket.io.on('reconnect_attempt', () => {
    if (tab.attemptAt === null) tab.attemptAt = now();
    tab.attempts++;
    next = (next + 1) % urls.length;
    tab.url = urls[next];
    socket.io.uri = tab.url;     // the next attempt opens its Engine.IO connection there
  });
  socket.on('connect', () => {
    if (tab.disconnectedAt === null || tab.caughtAt !== null) return;
    tab.backAt = now();          // (again, if it was dropped before it caught up)
    if (hasRecoverySession(socket) && !socket.recovered) {
      tab.unrecovered++;         // Node CSR: the session could not be restored
    }
  });
  socket.on('connection_established', (info) => {
    tab.welcomes++;
    tab.head = info.last_event_id;
    if (tab.last === null) tab.last = tab.head;   // first start (then load over HTTP)
    tab.ready = true;
  });
  socket.on('resync', () => { tab.resyncs++; tab.last = tab.head; });
  socket.on('connect_error', () => { tab.errors++; });
  socket.on('disconnect', () => {
    if (tab.disconnectedAt === null) tab.disconnectedAt = now();
  });
  socket.on('task_created', (data) => onEvent(tab, data));
  tab.socket = socket;
  return tab;
}

// socket.io-client keeps the session id of Connection State Recovery in `_pid` (set only
// when the server offers recovery); a Taskpulse tab never has one.
function hasRecoverySession(socket) {
  return typeof socket._pid === 'string';
}

function onEvent(tab, data) {
  const t = now();
  if (typeof data.id === 'string') tab.last = data.id;
  if (tab.seqs.has(data.seq)) tab.dup++;
  else if (data.seq < tab.lastSeq) tab.reordered++;
  tab.seqs.add(data.seq);
  if (data.seq > tab.lastSeq) tab.lastSeq = data.seq;
  // Caught up: the first event published after the tab was back (everything older came
  // before it: the replay, if any), i.e. the tab is live again.
  if (tab.backAt !== null && tab.caughtAt === null && data.t >= tab.backAt) tab.caughtAt = t;
}

async function connect(msg) {
  for (const url of msg.urls) if (!LOCAL.test(url)) throw new Error('127.0.0.1 only');
  const todo = [];
  msg.tokens.forEach((token, user) => {
    for (let j = 0; j < msg.tabs; j++) {
      todo.push([user, token, msg.urls[(user * msg.tabs + j) % msg.urls.length]]);
    }
  });
  const started = now();
  const deadline = started + msg.timeout * 1000;
  let i = 0;
  while (i < todo.length && now() < deadline) {
    const batch = todo.slice(i, i + msg.concurrency);
    i += batch.length;
    const opened = batch.map(([user, token, url]) => openTab(user, token, msg.urls, url));
    tabs.push(...opened);
    // (a tab refused or failing is not waited for: it counts as not ready below)
    while (opened.some((t) => !t.ready && !t.errors) && now() < deadline) await sleep(5);
  }
  const ready = tabs.filter((t) => t.ready).length;
  return { ready, failed: todo.length - ready, elapsed_ms: now() - started };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Until every tab that was on `victim` is caught up (or the deadline).
async function caughtUp(msg) {
  const moved = tabs.filter((t) => t.home === msg.victim || t.disconnectedAt !== null);
  const deadline = now() + msg.timeout * 1000;
  for (;;) {
    const done = moved.filter((t) => t.caughtAt !== null).length;
    if (done === moved.length || now() > deadline) {
      return { moved: moved.length, caught_up: done, at: now() };
    }
    await sleep(5);
  }
}

function pct(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// `published[u]`: how many events user u was sent (seq 1..n).
function report(msg) {
  const killed = msg.killed_at;
  let lost = 0; let dup = 0; let reordered = 0; let resync = 0; let unrecovered = 0; let tabsLosing = 0;
  let movedLost = 0; let stayedLost = 0; let attempts = 0; let errors = 0;
  const caught = []; const back = []; const tried = []; const gone = [];
  let moved = 0; let notCaught = 0;
  for (const t of tabs) {
    const want = msg.published[t.user];
    let have = 0;
    for (let s = 1; s <= want; s++) if (t.seqs.has(s)) have++;
    const missing = want - have;
    lost += missing;
    if (missing) tabsLosing++;
    dup += t.dup;
    reordered += t.reordered;
    resync += t.resyncs;
    unrecovered += t.unrecovered;
    attempts += t.attempts;
    errors += t.errors;
    if (t.disconnectedAt !== null) {
      moved++;
      movedLost += missing;
      if (t.caughtAt === null) notCaught++;
      else caught.push(t.caughtAt - killed);
      if (t.backAt !== null) back.push(t.backAt - killed);
      if (t.attemptAt !== null) tried.push(t.attemptAt - killed);
      gone.push(t.disconnectedAt - killed);
    } else {
      stayedLost += missing;
    }
  }
  return {
    tabs: tabs.length, moved, not_caught_up: notCaught, lost, dup, reordered, resync,
    unrecovered, tabs_losing: tabsLosing, moved_lost: movedLost, stayed_lost: stayedLost,
    attempts, connect_errors: errors,
    ...spread('caught', caught), ...spread('back', back), ...spread('attempt', tried),
    ...spread('disconnect', gone),
  };
}

// p50 / p95 / max of times in ms after the kill, as `<name>_p50_s` ... in seconds.
function spread(name, ms) {
  ms.sort((a, b) => a - b);
  const s = (v) => (v === null || v === undefined ? null : v / 1000);
  return { [name + '_p50_s']: s(pct(ms, 50)), [name + '_p95_s']: s(pct(ms, 95)),
           [name + '_max_s']: s(ms[ms.length - 1]) };
}

function seen(msg) {
  // Per user, the highest seq any of its tabs has (to wait for the stream's end).
  const top = new Array(msg.users).fill(0);
  for (const t of tabs) if (t.lastSeq > top[t.user]) top[t.user] = t.lastSeq;
  return { top };
}

function close() {
  for (const t of tabs) t.socket.close();
  return { closed: tabs.length };
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const msg = JSON.parse(line);
  let out;
  if (msg.cmd === 'connect') out = await connect(msg);
  else if (msg.cmd === 'caught_up') out = await caughtUp(msg);
  else if (msg.cmd === 'seen') out = seen(msg);
  else if (msg.cmd === 'report') out = report(msg);
  else if (msg.cmd === 'close') out = close();
  else out = { error: 'unknown command ' + msg.cmd };
  process.stdout.write(JSON.stringify(out) + '\n');
  if (msg.cmd === 'close') setTimeout(() => process.exit(0), 200);
});
rl.on('close', () => process.exit(0));
