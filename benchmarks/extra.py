"""Scenarios that need more of Taskpulse: Redis fan-out over two processes, the agent path."""
from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
from pathlib import Path
from typing import Any

from benchmarks.procs import BenchError, LoadGen, Server, cpu_seconds
from benchmarks.report import ratio
from benchmarks.scenarios import Sizes, _connect, drive, medians

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


REDIS_PAIRS = (("node", "Node socket.io 4.8 + @socket.io/redis-adapter"),
               ("taskpulse", "Taskpulse (AsyncRedisManager, fan-out fast path)"))


def _redis_pair(py: str, key: str, env: dict[str, str]) -> list[Server]:
    if key == "node":
        cmd = ["node", "benchmarks/node/server.js", "0"]
        env = {**env, "BENCH_REDIS_URL": REDIS_URL}
    else:
        cmd = [py, "-m", "benchmarks.taskpulse_server"]
        env = {**env, "TASKPULSE_REDIS_URL": REDIS_URL}
    return [Server(f"{key}-redis-{i}", cmd, env) for i in (1, 2)]


def _redis_sample(py: str, key: str, sizes: Sizes, log_dir: Path) -> dict[str, Any]:
    """One pair of processes of one kind, fresh; each user's tabs spread over both, events
    published on the first; CPU is both processes' together."""
    env = {"BENCH_SECRET": secrets.token_urlsafe(48),
           "BENCH_REDIS_CHANNEL": f"{key}-bench-{os.getpid()}-{secrets.token_hex(3)}"}
    servers = _redis_pair(py, key, env)
    gen = None
    try:
        for s in servers:
            s.start(log_dir)
        setup = servers[0].control("setup", users=sizes.users)
        if key == "taskpulse":     # the same users on the second process (its own database)
            servers[1].control("setup", users=sizes.users)
        gen = LoadGen(servers[0].url, "sio")
        near = (sizes.tabs + 1) // 2
        _connect(gen, setup["tokens"], near, url=servers[0].url)
        _connect(gen, setup["tokens"], sizes.tabs - near, url=servers[1].url)
        overlap = os.environ.get("BENCH_REDIS_AWAITED") != "1"
        return drive(servers[0], [s.pid for s in servers], gen, sizes, overlap=overlap)
    finally:
        if gen is not None:
            gen.close()
        for s in servers:
            s.stop()


def redis_fanout(py: str, sizes: Sizes, log_dir: Path, failures: list[str],
                 reps: int = 1) -> dict[str, Any]:
    """Two processes sharing rooms through Redis, for the Node server (its official Redis
    adapter) and for Taskpulse, alternating, ``reps`` times; medians."""
    if not _redis_up():
        return {"pending": f"no Redis at {REDIS_URL}"}
    samples: dict[str, list[dict[str, Any]]] = {key: [] for key, _ in REDIS_PAIRS}
    for _ in range(reps):
        for key, name in REDIS_PAIRS:
            try:
                samples[key].append(_redis_sample(py, key, sizes, log_dir))
            except (BenchError, OSError) as exc:
                failures.append(f"redis fan-out ({name}): {exc}")
    med = {key: medians(rows, summed=("lost", "reordered"))
           for key, rows in samples.items() if rows}
    if "taskpulse" not in med:
        return {"pending": "failed (see the harness failures)"}
    near = (sizes.tabs + 1) // 2
    node = med.get("node", {})
    rows = []
    for key, name in REDIS_PAIRS:
        r = med.get(key)
        if r is None:
            rows.append([name] + ["–"] * 6)
            continue
        rows.append([name, f"{sizes.users} users × {sizes.tabs} tabs split "
                     f"{near}+{sizes.tabs - near}",
                     f"{r['cpu_us']:.1f}" + ratio(r["cpu_us"], node.get("cpu_us")),
                     f"{r['deliveries_s']:,.0f}", f"{r['p50_ms']:.2f}",
                     f"{r['p99_ms']:.2f}" + ratio(r["p99_ms"], node.get("p99_ms")),
                     f"{r['lost']:.0f} / {r['reordered']:.0f}"])
    return {"header": ["2 processes", "clients", "CPU µs/delivery (both)", "deliveries/s",
                       "p50 ms", "p99 ms", "lost / reordered"],
            "rows": rows, "numbers": med["taskpulse"], "node": node or None}


PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
AGENT_TARGET = "p50 ≤ 15 ms, p99 ≤ 50 ms"


async def _pg_admin(sql: str) -> None:
    import asyncpg
    conn = await asyncpg.connect(PG_ADMIN, timeout=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_database() -> str | None:
    """A fresh database on the local PostgreSQL (None: no server or no asyncpg)."""
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        return None
    name = f"taskpulse_bench_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, Exception):   # connection refused, auth, ...: report as pending
        return None
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


AGENT_LOADS = (("paced", "people chatting: next message {think} s (±50 %) after the answer"),
               ("closed", "closed loop: next message as soon as the answer is in"))


def _agent_run(py: str, sizes: Sizes, log_dir: Path, env: dict[str, str],
               name: str) -> dict[str, dict[str, Any]]:
    """Both loads on one server: users chatting at a (fast) human pace — the latency
    target — then the same users with no pause at all, which saturates the server and
    shows its capacity (runs/s) and what latency becomes there."""
    users, tabs = sizes.agent_users, sizes.tabs
    server = Server(name, [py, "-m", "benchmarks.taskpulse_server"],
                    {"BENCH_LLM": "scripted", **env})
    gen = None
    out: dict[str, dict[str, Any]] = {}
    try:
        server.start(log_dir)
        setup = server.control("setup", users=users)
        gen = LoadGen(server.url, "sio")
        _connect(gen, setup["tokens"], tabs)
        pairs = [{"id": i, "token": t} for i, t in zip(setup["ids"], setup["tokens"])]
        gen.call(60, cmd="chat", users=pairs, rounds=1, message="what's open?", tabs=tabs,
                 timeout=10)   # warm-up
        for load, _ in AGENT_LOADS:
            think = sizes.agent_think_ms if load == "paced" else 0
            cpu0 = cpu_seconds(server.pid)
            r = gen.call(300, cmd="chat", users=pairs, rounds=sizes.agent_rounds,
                         message="what's still open?", tabs=tabs, timeout=30, think_ms=think)
            r["cpu_ms_per_run"] = (cpu_seconds(server.pid) - cpu0) * 1000 / max(1, r["runs"])
            out[load] = dict(r)
        return out
    finally:
        if gen is not None:
            gen.close()
        server.stop()


def migrated_pg_database(py: str) -> str | None:
    """A fresh, migrated database on the local PostgreSQL (None: none there); the caller
    drops it (:func:`drop_pg_database`)."""
    pg_url = _pg_database()
    if pg_url is None:
        return None
    try:
        subprocess.run([py, "-m", "taskpulse", "migrate"], check=True, timeout=120,
                       env={**os.environ, "TASKPULSE_DATABASE_URL": pg_url},
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except BaseException:
        drop_pg_database(pg_url)
        raise
    return pg_url


def _one_agent_sample(py: str, sizes: Sizes, log_dir: Path, key: str
                      ) -> dict[str, dict[str, Any]] | str:
    """Both loads on a fresh server (and, for PostgreSQL, a fresh database); a string
    says why there is no sample."""
    env: dict[str, str] = {}
    pg_url = None
    if key == "postgres":
        pg_url = migrated_pg_database(py)
        if pg_url is None:
            return "pending: no PostgreSQL at 127.0.0.1:5432 (or no asyncpg)"
        env["TASKPULSE_DATABASE_URL"] = pg_url
    try:
        return _agent_run(py, sizes, log_dir, env, f"taskpulse-agent-{key}")
    finally:
        if pg_url is not None:
            drop_pg_database(pg_url)


def _median_sample(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of the repetitions' numbers; runs and failures are summed."""
    return {**medians(samples, summed=("runs", "failed")), "samples": samples}


def agent_path(py: str, sizes: Sizes, log_dir: Path, failures: list[str],
               reps: int = 1) -> dict[str, Any]:
    """POST /api/{user_id}/chat with an instant scripted model (one tool call, then a
    streamed reply): time until agent_done has reached all of the user's tabs, with
    ``agent_users`` users chatting at once, each in a conversation of its own that grows
    by one exchange per message. Two loads (see :func:`_agent_run`); the latency target
    applies to people chatting. SQLite (in memory) and a fresh PostgreSQL database
    (migrated for the sample, dropped after it), alternating, ``reps`` times; medians."""
    users, tabs = sizes.agent_users, sizes.tabs
    rows: list[list[Any]] = []
    numbers: dict[str, Any] = {}
    variants: list[tuple[str, str]] = [("SQLite (in memory)", "sqlite"),
                                       ("PostgreSQL (127.0.0.1)", "postgres")]
    think_s = f"{sizes.agent_think_ms / 1000:g}"
    samples: dict[str, list[dict[str, dict[str, Any]]]] = {key: [] for _, key in variants}
    missing: dict[str, str] = {}
    for _ in range(reps):
        for _, key in variants:
            if key in missing:
                continue
            try:
                sample = _one_agent_sample(py, sizes, log_dir, key)
            except (BenchError, OSError, subprocess.SubprocessError) as exc:
                failures.append(f"agent path ({key}): {exc}")
                missing[key] = f"failed: {exc}"
                continue
            if isinstance(sample, str):
                missing[key] = sample
            else:
                samples[key].append(sample)
    for label, key in variants:
        if key in missing or not samples[key]:
            rows.append([label, "–", "–", "–", "–", "–", "–", "–", "–",
                         missing.get(key, "no sample")])
            continue
        for load, describe in AGENT_LOADS:
            r = _median_sample([sample[load] for sample in samples[key]])
            if r["failed"] or not r["runs"]:
                failures.append(f"agent path ({key}, {load}): {r['failed']} runs failed")
            numbers[key if load == "paced" else f"{key}-{load}"] = r
            rows.append([label, describe.format(think=think_s), f"{users} × {tabs}",
                         r["runs"], f"{r['p50'] or 0:.1f}", f"{r['p99'] or 0:.1f}",
                         f"{r['cpu_ms_per_run']:.2f}", f"{r['runs_s']:.0f}", r["failed"],
                         AGENT_TARGET if load == "paced" else "capacity (no target)"])
    return {"header": ["database", "load", "users × tabs", "runs (all reps)",
                       "p50 ms (median)", "p99 ms (median)", "server CPU ms/run",
                       "runs/s", "failed", "target"],
            "rows": rows, "numbers": numbers}
