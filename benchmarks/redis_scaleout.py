"""What running on Redis costs: ``python -m benchmarks.redis_scaleout [--smoke]``.

The same Node load generator, event payload and publish path as ``make bench``
(``app[PUBLISHER].publish`` through ``/bench/*``), in four set-ups:

* ``in-process``: one process, no Redis (the single-process path);
* ``redis x1``: one process on Redis (each event: Lua append + publish, delivered from the
  channel);
* ``redis x2 split``: two processes, each user's tabs split over both, published on the
  first;
* ``redis x3 far``: published on p1 (no clients), every tab on p2, and p3 holding one tab of
  a user who gets no events - what a process pays for others' traffic.

Reported per set-up: server CPU µs per delivered event (all processes), each process's CPU
µs per published event, p50/p99 latency of a paced stream, lost/reordered deliveries.
Needs Redis at 127.0.0.1:6379, node and npm. Servers share core 0, the generator core 1.
"""
from __future__ import annotations

import argparse
import os
import secrets
import sys
import uuid
from dataclasses import replace
from typing import Any

from benchmarks.extra import REDIS_URL, _redis_up
from benchmarks.procs import ROOT, BenchError, LoadGen, Server, cpu_seconds, npm_ci
from benchmarks.scenarios import Sizes, _connect, drive

PY = sys.executable
LOG_DIR = ROOT / "var" / "bench" / "logs"
SIZES = Sizes(users=50, tabs=4, burst_events=40, bursts=3, paced_rate=4_000,
              paced_seconds=3.0)
SMOKE = replace(SIZES, users=10, tabs=2, burst_events=10, bursts=1, paced_rate=500,
                paced_seconds=0.5)


def _servers(count: int, redis: bool) -> list[Server]:
    env = {"BENCH_SECRET": secrets.token_urlsafe(48)}
    if redis:
        env |= {"TASKPULSE_REDIS_URL": REDIS_URL,
                "BENCH_REDIS_CHANNEL": f"taskpulse-bench-{uuid.uuid4().hex[:8]}"}
    return [Server(f"scaleout-p{i + 1}", [PY, "-m", "benchmarks.taskpulse_server"], env)
            for i in range(count)]


def run(name: str, count: int, redis: bool, tabs_on: list[int], publish_on: int,
        sizes: Sizes, bystander: int | None = None) -> dict[str, Any]:
    """``tabs_on``: the processes the tabs of each user are spread over (round robin)."""
    servers = _servers(count, redis)
    gens: list[LoadGen] = []
    try:
        for s in servers:
            s.start(LOG_DIR)
        main = servers[publish_on]
        setup = main.control("setup", users=sizes.users + 1)
        for other in servers:      # the same users on every process (each has its own database)
            if other is not main:
                other.control("setup", users=sizes.users + 1)
        tokens = setup["tokens"][:sizes.users]
        per = {i: sizes.tabs // len(tabs_on) + (1 if n < sizes.tabs % len(tabs_on) else 0)
               for n, i in enumerate(tabs_on)}
        gen = LoadGen(servers[tabs_on[0]].url, "sio")
        gens.append(gen)
        for i, tabs in per.items():
            _connect(gen, tokens, tabs, url=servers[i].url)
        if bystander is not None:     # one tab of a user who receives nothing
            other = LoadGen(servers[bystander].url, "sio")
            gens.append(other)
            _connect(other, setup["tokens"][sizes.users:], 1)
        pids = [s.pid for s in servers]
        before = [cpu_seconds(p) for p in pids]
        r = drive(main, pids, gen, sizes)
        published = sizes.users * (2 + sizes.burst_events * sizes.bursts) + round(
            sizes.paced_rate / sizes.tabs * sizes.paced_seconds)
        r["per_process_us"] = [(cpu_seconds(p) - b) / published * 1e6
                               for p, b in zip(pids, before)]
        r["name"] = name
        return r
    finally:
        for g in gens:
            g.close()
        for s in servers:
            s.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.redis_scaleout",
                                     description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="small sizes, quick")
    args = parser.parse_args(argv)
    if not _redis_up():
        print(f"no Redis at {REDIS_URL}", file=sys.stderr)
        return 1
    npm_ci()
    sizes = SMOKE if args.smoke else SIZES
    os.environ.setdefault("PYTHONHASHSEED", "0")
    plans = [("in-process", 1, False, [0], 0, None),
             ("redis x1", 1, True, [0], 0, None),
             ("redis x2 split", 2, True, [0, 1], 0, None),
             ("redis x3 far", 3, True, [1], 0, 2)]
    rows = []
    for name, count, redis, tabs_on, publish_on, bystander in plans:
        print(f"{name} ...", file=sys.stderr, flush=True)
        try:
            rows.append(run(name, count, redis, tabs_on, publish_on, sizes, bystander))
        except (BenchError, OSError) as exc:
            print(f"  FAILED {name}: {exc}", file=sys.stderr)
            return 1
    print(f"{sizes.users} users x {sizes.tabs} tabs; bursts of {sizes.burst_events} events "
          f"per user; paced {sizes.paced_rate:,} deliveries/s for {sizes.paced_seconds} s\n")
    print("| set-up | CPU µs/delivery (all) | CPU µs/event per process | deliveries/s "
          "| p50 ms | p99 ms | lost / reordered |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        procs = " / ".join(f"{us:.0f}" for us in r["per_process_us"])
        print(f"| {r['name']} | {r['cpu_us']:.1f} | {procs} | {r['deliveries_s']:,.0f} "
              f"| {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['lost']} / {r['reordered']} |")
    return 0 if all(not r["lost"] and not r["reordered"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
