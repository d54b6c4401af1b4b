// Minimal Node Socket.IO peer with Taskpulse's room/event shape (benchmark only).
// Clients connect to namespace /chat with auth {token: <user id>}, join room user:<id> and get
// connection_established; with BENCH_REDIS_URL, several of these share rooms through Redis
// (BENCH_REDIS_ADAPTER=streams: @socket.io/redis-streams-adapter with Connection State
// Recovery on, the mass-reconnect scenario). Control routes (127.0.0.1 only): POST
// /bench/setup, /bench/burst, /bench/pace, /bench/stop, /bench/stats. Prints "READY <port>" once listening.
'use strict';
const http = require('http');
const { Server } = require('socket.io');
const { makeEvent, parseQuery } = require('./common');

const port = Number(process.argv[2] || 0);
const seq = new Map();
const streams = process.env.BENCH_REDIS_ADAPTER === 'streams';
// Connections seen, and how many of them came back with a session to recover (and did).
const stats = { connections: 0, recovery_asked: 0, recovered: 0 };
let io;
let paceRun = 0;   // /bench/stop moves it on: every paced stream started before ends

function emitTo(userId) {
  const n = (seq.get(userId) || 0) + 1;
  seq.set(userId, n);
  io.of('/chat').to('user:' + userId).emit('task_created', makeEvent(userId, n));
}

function users(n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push('u' + i);
  return out;
}

function control(req, res) {
  const q = parseQuery(req.url);
  const reply = (body) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (q.path === '/bench/setup') {
    const ids = users(q.users);
    return reply({ ids, tokens: ids });
  }
  if (q.path === '/bench/burst') {
    const ids = users(q.users);
    for (let e = 0; e < q.events; e++) for (const id of ids) emitTo(id);
    return reply({ emitted: ids.length * q.events });
  }
  if (q.path === '/bench/pace') {
    // q.rate events/s round-robin over the users, for q.seconds; ticks every ~1 ms.
    const ids = users(q.users);
    const total = Math.round(q.rate * q.seconds);
    const start = performance.now();
    const run = paceRun;
    let sent = 0;
    const tick = () => {
      if (run !== paceRun) return;
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * q.rate));
      while (sent < due) emitTo(ids[sent++ % ids.length]);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
    return reply({ events: total });
  }
  if (q.path === '/bench/stop') {   // end the paced streams; how many events each user got
    paceRun++;
    return reply({ published: users(q.users).map((id) => seq.get(id) || 0) });
  }
  if (q.path === '/bench/stats') return reply(stats);
  res.writeHead(404);
  res.end();
}

const httpServer = http.createServer();
io = new Server(httpServer, {
  cors: { origin: '*' }, ...(streams ? { connectionStateRecovery: {} } : {}),
});
httpServer.on('request', (req, res) => {
  if (req.url.startsWith('/bench/')) control(req, res);
});
io.of('/chat').on('connection', (socket) => {
  const userId = String((socket.handshake.auth || {}).token || '');
  if (!userId) return socket.disconnect(true);
  stats.connections++;
  if (typeof socket.handshake.auth.pid === 'string') stats.recovery_asked++;
  if (socket.recovered) stats.recovered++;
  socket.join('user:' + userId);
  socket.emit('connection_established', {
    message: 'Connected to real-time updates', user_id: userId, sid: socket.id,
    transport: socket.conn.transport.name, server_time: new Date().toISOString(),
    protocol_version: 1, last_event_id: null,
  });
});
// With BENCH_REDIS_URL, rooms are shared with the other processes through Redis, by the
// official adapter (@socket.io/redis-adapter on node-redis), on channel BENCH_REDIS_CHANNEL.
async function useRedis(url) {
  const { createClient } = require('redis');
  const { createAdapter } = require('@socket.io/redis-adapter');
  if (!/^redis:\/\/127\.0\.0\.1:\d+(\/\d+)?$/.test(url)) throw new Error('127.0.0.1 only');
  const name = process.env.BENCH_REDIS_CHANNEL || 'socket.io';
  if (streams) {   // one stream (and session keys, channels) of this run's own
    const client = createClient({ url });
    await client.connect();
    io.adapter(require('@socket.io/redis-streams-adapter').createAdapter(client, {
      streamName: name, channelPrefix: name, sessionKeyPrefix: name + ':session:',
    }));
    return;
  }
  const pub = createClient({ url });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub, { key: name }));
}

(process.env.BENCH_REDIS_URL ? useRedis(process.env.BENCH_REDIS_URL) : Promise.resolve())
  .then(() => httpServer.listen(port, '127.0.0.1', () => {
    process.stdout.write('READY ' + httpServer.address().port + '\n');
  }))
  .catch((err) => { process.stderr.write(String(err) + '\n'); process.exit(1); });
process.on('SIGTERM', () => process.exit(0));
