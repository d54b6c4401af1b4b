// The benchmark event (same shape and size as benchmarks/payload.py) and query parsing.
'use strict';

// The send time `t` in ms on CLOCK_MONOTONIC (process.hrtime), the clock every process of
// the machine shares: the load generator and the Python servers read it too.
const sendTime = () => Number(process.hrtime.bigint()) / 1e6;

function makeEvent(userId, n) {
  const t = sendTime();
  const iso = new Date().toISOString();
  return {
    id: Math.floor(t) + '-' + n,
    ts: iso,
    seq: n,
    t,
    task: {
      id: '00000000-0000-4000-8000-' + String(n).padStart(12, '0'),
      title: 'Benchmark task ' + n + ' for ' + userId,
      description: 'Bring the quarterly report to the planning meeting',
      due_date: null,
      priority: 'medium',
      completed: false,
      created_at: iso,
      updated_at: iso,
    },
  };
}

function parseQuery(url) {
  const u = new URL(url, 'http://127.0.0.1');
  return {
    path: u.pathname,
    users: Number(u.searchParams.get('users') || 0),
    events: Number(u.searchParams.get('events') || 0),
    rate: Number(u.searchParams.get('rate') || 0),
    seconds: Number(u.searchParams.get('seconds') || 0),
  };
}

module.exports = { makeEvent, parseQuery };
