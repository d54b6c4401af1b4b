"""Scenarios that need more of Taskpulse: Redis fan-out over two processes, the agent path."""
from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path
from typing import Any

from benchmarks.procs import BenchError, LoadGen, Server, cpu_seconds
from benchmarks.scenarios import Sizes, _connect, drive

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_fanout(py: str, sizes: Sizes, log_dir: Path, failures: list[str]) -> dict[str, Any]:
    """Two Taskpulse processes sharing rooms through Redis: each user's tabs are spread over
    both, events are published on the first; CPU is both processes' together."""
    if not _redis_up():
        return {"pending": f"no Redis at {REDIS_URL}"}
    env = {"TASKPULSE_REDIS_URL": REDIS_URL, "BENCH_SECRET": secrets.token_urlsafe(48),
           "BENCH_REDIS_CHANNEL": f"taskpulse-bench-{os.getpid()}"}
    servers = [Server(f"taskpulse-redis-{i}", [py, "-m", "benchmarks.taskpulse_server"], env)
               for i in (1, 2)]
    gen = None
    try:
        for s in servers:
            s.start(log_dir)
        setup = servers[0].control("setup", users=sizes.users)
        gen = LoadGen(servers[0].url, "sio")
        near = (sizes.tabs + 1) // 2
        _connect(gen, setup["tokens"], near, url=servers[0].url)
        _connect(gen, setup["tokens"], sizes.tabs - near, url=servers[1].url)
        r = drive(servers[0], [s.pid for s in servers], gen, sizes)
    except (BenchError, OSError) as exc:
        failures.append(f"redis fan-out: {exc}")
        return {"pending": f"failed: {exc}"}
    finally:
        if gen is not None:
            gen.close()
        for s in servers:
            s.stop()
    return {"header": ["setup", "CPU µs/delivery (both)", "deliveries/s", "p50 ms", "p99 ms",
                       "lost / reordered"],
            "rows": [[f"2 processes, {sizes.users} users × {sizes.tabs} tabs split "
                      f"{near}+{sizes.tabs - near}", f"{r['cpu_us']:.1f}",
                      f"{r['deliveries_s']:,.0f}", f"{r['p50_ms']:.2f}", f"{r['p99_ms']:.2f}",
                      f"{r['lost']} / {r['reordered']}"]],
            "numbers": r}


def agent_path(py: str, sizes: Sizes, log_dir: Path, failures: list[str]) -> dict[str, Any]:
    """POST /api/{user_id}/chat with an instant scripted model (one tool call, then a
    streamed reply): time until agent_done has reached all of the user's tabs, with
    ``agent_users`` users chatting at once. SQLite (in memory)."""
    users, tabs = sizes.agent_users, sizes.tabs
    server = Server("taskpulse-agent", [py, "-m", "benchmarks.taskpulse_server"],
                    {"BENCH_LLM": "scripted"})
    gen = None
    try:
        server.start(log_dir)
        setup = server.control("setup", users=users)
        gen = LoadGen(server.url, "sio")
        _connect(gen, setup["tokens"], tabs)
        pairs = [{"id": i, "token": t} for i, t in zip(setup["ids"], setup["tokens"])]
        gen.call(60, cmd="chat", users=pairs, rounds=1, message="what's open?", tabs=tabs,
                 timeout=10)   # warm-up
        cpu0 = cpu_seconds(server.pid)
        r = gen.call(300, cmd="chat", users=pairs, rounds=sizes.agent_rounds,
                     message="what's still open?", tabs=tabs, timeout=30)
        r["cpu_ms_per_run"] = (cpu_seconds(server.pid) - cpu0) * 1000 / max(1, r["runs"])
    except (BenchError, OSError) as exc:
        failures.append(f"agent path: {exc}")
        return {"pending": f"failed: {exc}"}
    finally:
        if gen is not None:
            gen.close()
        server.stop()
    if r["failed"] or not r["runs"]:
        failures.append(f"agent path: {r['failed']} runs failed")
    return {"header": ["database", "users at once × tabs", "runs", "p50 ms", "p99 ms",
                       "failed", "target"],
            "rows": [["SQLite", f"{users} × {tabs}", r["runs"], f"{r['p50'] or 0:.1f}",
                      f"{r['p99'] or 0:.1f}", r["failed"], "p50 ≤ 15 ms, p99 ≤ 50 ms"],
                     ["PostgreSQL", "–", "–", "–", "–", "–", "pending (not run yet)"]],
            "numbers": r}
