"""`make bench`: Taskpulse and its peers, driven alike, one table.

``python -m benchmarks.run [--smoke] [--reps N] [--only KEY,...] [--ablation]``

Servers run pinned to core 0 (``taskset -c 0``), the Node load generator on core 1. Targets
alternate within each repetition; the table shows medians and each number's ratio to the
Node Socket.IO server. Results also go to ``var/bench/latest.json``.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from benchmarks import report
from benchmarks.procs import ROOT, BenchError, Server, npm_ci, raise_fd_limit
from benchmarks.scenarios import Sizes, Target, fanout, idle, polling
from benchmarks.scenarios import medians as scenario_medians  # `medians` names the table
from benchmarks.extra import agent_path, redis_fanout
from benchmarks.mass_reconnect import SMOKE_SIZES as RECONNECT_SMOKE, mass_reconnect
from benchmarks.task_changes import outbox_cost

PY = sys.executable
OUT_DIR = ROOT / "var" / "bench"

SMOKE = Sizes(users=10, tabs=2, burst_events=10, bursts=1, paced_rate=1_000,
              paced_seconds=0.5, idle=(100,), poll_users=4, poll_tabs=2, poll_rate=200,
              poll_seconds=0.5, settle_s=0.6, agent_users=3, agent_rounds=2,
              agent_think_ms=100, **RECONNECT_SMOKE)
# A smoke run fails unless every target produced these numbers.
SMOKE_REQUIRED = ("cpu_us", "deliveries_s", "p99_ms", "lost")


# Targets that get every scenario; the ablation variants get fan-out and 2,000 idle only.
MAIN_KEYS = ("node", "pysio", "raw", "taskpulse")


def _server(name: str, cmd: list[str], env: dict[str, str] | None = None) -> Server:
    return Server(name, cmd, env or {})


def targets(ablation: bool) -> list[Target]:
    node = [Target("Node socket.io 4.8 (defaults)", "node", "sio",
                   lambda: [_server("node", ["node", "benchmarks/node/server.js", "0"])])]
    pysio = Target("python-socketio 5.18 (defaults)", "pysio", "sio",
                   lambda: [_server("pysio", [PY, "-m", "benchmarks.peers.sio_server"])])
    raw = Target("raw aiohttp WebSocket (uvloop)", "raw", "raw",
                 lambda: [_server("raw", [PY, "-m", "benchmarks.peers.raw_server", "--uvloop"])],
                 polling=False)
    taskpulse = Target("Taskpulse (publish path)", "taskpulse", "sio",
                       lambda: [_server("taskpulse", [PY, "-m", "benchmarks.taskpulse_server"])])
    out = node + [pysio, raw, taskpulse]
    if ablation:
        out += report.ablation_targets(PY)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="one repetition, small sizes")
    parser.add_argument("--reps", type=int, help="repetitions (default 3, smoke 1)")
    parser.add_argument("--only", help="comma-separated target keys (node always included)")
    parser.add_argument("--ablation", action="store_true",
                        help="also Taskpulse with each optimisation switched off")
    parser.add_argument("--skip", default="", help="comma-separated scenarios to skip: "
                        "fanout,idle,polling,redis,agent,outbox,reconnect")
    args = parser.parse_args(argv)
    sizes = SMOKE if args.smoke else Sizes()
    reps = args.reps or (1 if args.smoke else 3)
    skip = set(filter(None, args.skip.split(",")))
    started = time.monotonic()
    raise_fd_limit()
    npm_ci()
    chosen = targets(args.ablation)
    if args.only:
        keys = {"node", *args.only.split(",")}
        chosen = [t for t in chosen if t.key in keys]
    log_dir = OUT_DIR / "logs"
    samples: dict[str, list[dict[str, Any]]] = {t.key: [] for t in chosen}
    failures: list[str] = []

    def attempt(t: Target, what: str, fn: Any) -> dict[str, Any]:
        try:
            return dict(fn())
        except (BenchError, OSError) as exc:
            failures.append(f"{t.name}: {what}: {exc}")
            print(f"  FAILED {t.name} {what}: {exc}", file=sys.stderr)
            return {}

    for rep in range(reps):
        for t in chosen:
            print(f"[rep {rep + 1}/{reps}] {t.name}", file=sys.stderr, flush=True)
            row: dict[str, Any] = {}
            if "fanout" not in skip:
                row |= attempt(t, "fan-out", lambda: fanout(t, sizes, log_dir))
            if "idle" not in skip and rep == 0:   # memory: one sample (it barely varies)
                for n in sizes.idle if t.key in MAIN_KEYS else sizes.idle[:1]:
                    tabs = 5 if n >= 500 else 2
                    row |= attempt(t, f"idle {n}",
                                   lambda: idle(t, n, tabs, log_dir, sizes.settle_s))
            if "polling" not in skip and t.polling and t.key in MAIN_KEYS:
                row |= attempt(t, "polling", lambda: polling(t, sizes, log_dir))
            samples[t.key].append(row)
            _save({"partial": True, "samples": samples, "failures": failures})
    extras: dict[str, Any] = {}
    if "redis" not in skip:
        extras["redis"] = redis_fanout(PY, sizes, log_dir, failures, reps)
    if "agent" not in skip:
        extras["agent"] = agent_path(PY, sizes, log_dir, failures, reps)
    if "reconnect" not in skip:   # at most 2 repetitions: ~45 s each at full size
        extras["reconnect"] = mass_reconnect(PY, sizes, log_dir, failures, min(reps, 2))
    if "outbox" not in skip:
        extras["outbox"] = outbox_cost(PY, log_dir, failures, reps,
                                       changes=20 if args.smoke else 300)
    medians = {t.key: scenario_medians(samples[t.key]) for t in chosen}
    if args.smoke:
        for t in chosen:
            missing = [k for k in SMOKE_REQUIRED if medians[t.key].get(k) is None]
            if missing:
                failures.append(f"{t.name}: no {', '.join(missing)}")
            elif medians[t.key]["lost"] or medians[t.key].get("reordered"):
                failures.append(f"{t.name}: events lost or reordered")
    table = report.render(chosen, medians, extras, sizes, reps, args.smoke)
    print(table)
    _save({"sizes": sizes.__dict__, "reps": reps, "samples": samples, "medians": medians,
           "extras": extras, "failures": failures})
    (OUT_DIR / "latest.md").write_text(table + "\n")
    print(f"\n{time.monotonic() - started:.0f} s; raw numbers in {OUT_DIR / 'latest.json'}",
          file=sys.stderr)
    if failures:
        print("harness failures:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


def _save(data: dict[str, Any]) -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "latest.json").write_text(json.dumps(data, indent=1, default=str))


if __name__ == "__main__":
    sys.exit(main())
