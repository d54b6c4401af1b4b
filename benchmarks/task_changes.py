"""What the outbox costs per task change: ``PATCH /api/{user}/tasks/{id}`` -> the
``task_updated`` event at every tab of the user, with the outbox (the change's event is a
row written in the change's transaction, published after the commit, the row deleted) and
without it (the path before the outbox: publish after the commit, nothing written), on
SQLite and PostgreSQL, the two alternating in each repetition, on one server process each.

One user, ``tabs`` python-socketio tabs (WebSocket), changes one after another: each
change is timed from the request to the moment the last tab has its event; the server's
CPU over all changes is divided by their number. ``python -m benchmarks.task_changes
[--smoke]`` prints the table alone.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import socketio

from benchmarks.extra import drop_pg_database, migrated_pg_database
from benchmarks.procs import ROOT, BenchError, Server, cpu_seconds

VARIANTS = (("outbox", "with the outbox (now)"), ("direct", "without (publish after commit)"))
DATABASES = (("sqlite", "SQLite (in memory)"), ("postgres", "PostgreSQL (127.0.0.1)"))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _changes(url: str, user_id: str, token: str, tabs: int, changes: int,
                   pid: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    seen: list[asyncio.Queue[bool]] = []
    clients = []
    for _ in range(tabs):
        queue: asyncio.Queue[bool] = asyncio.Queue()
        client = socketio.AsyncClient(reconnection=False)

        async def on_updated(data: dict[str, Any], queue: asyncio.Queue[bool] = queue
                             ) -> None:
            queue.put_nowait(bool(data["task"]["completed"]))
        client.on("task_updated", on_updated, namespace="/chat")
        await client.connect(url, namespaces=["/chat"], transports=["websocket"],
                             auth={"token": token})
        clients.append(client)
        seen.append(queue)
    try:
        async with aiohttp.ClientSession(headers=headers) as http:
            async with http.post(f"{url}/api/{user_id}/tasks", json={"title": "bench"}) as r:
                task_id = (await r.json())["task"]["id"]
            latencies = []
            cpu0 = cpu_seconds(pid)
            for i in range(changes):
                state = i % 2 == 0
                started = time.perf_counter()
                async with http.patch(f"{url}/api/{user_id}/tasks/{task_id}",
                                      json={"completed": state}) as r:
                    if r.status != 200:
                        raise BenchError(f"PATCH answered {r.status}")
                for queue in seen:
                    if await asyncio.wait_for(queue.get(), 10) != state:
                        raise BenchError("a tab got the changes out of order")
                latencies.append((time.perf_counter() - started) * 1000)
            cpu = cpu_seconds(pid) - cpu0
    finally:
        for client in clients:
            await client.disconnect()
    return {"p50": statistics.median(latencies), "p99": _pct(latencies, 0.99),
            "cpu_us": cpu * 1e6 / changes, "changes": changes}


def _sample(py: str, db: str, variant: str, tabs: int, changes: int,
            log_dir: Path) -> dict[str, Any] | str:
    env = {"BENCH_OUTBOX": variant}
    pg_url = None
    if db == "postgres":
        pg_url = migrated_pg_database(py)
        if pg_url is None:
            return "pending: no PostgreSQL at 127.0.0.1:5432"
        env["TASKPULSE_DATABASE_URL"] = pg_url
    server = Server(f"taskpulse-changes-{db}-{variant}",
                    [py, "-m", "benchmarks.taskpulse_server"], env)
    try:
        server.start(log_dir)
        setup = server.control("setup", users=1)
        asyncio.run(_changes(server.url, setup["ids"][0], setup["tokens"][0], tabs,
                             max(5, changes // 10), server.pid))          # warm-up
        return asyncio.run(_changes(server.url, setup["ids"][0], setup["tokens"][0], tabs,
                                    changes, server.pid))
    finally:
        server.stop()
        if pg_url is not None:
            drop_pg_database(pg_url)


def outbox_cost(py: str, log_dir: Path, failures: list[str], reps: int = 1,
                tabs: int = 5, changes: int = 300) -> dict[str, Any]:
    samples: dict[tuple[str, str], list[dict[str, Any]]] = {}
    missing: dict[str, str] = {}
    affinity = os.sched_getaffinity(0)
    if (os.cpu_count() or 1) > 1:       # the tabs on core 1, the server on core 0
        os.sched_setaffinity(0, {1})
    try:
        _collect(py, log_dir, failures, reps, tabs, changes, samples, missing)
    finally:
        os.sched_setaffinity(0, affinity)
    return _table(samples, missing, tabs, changes)


def _collect(py: str, log_dir: Path, failures: list[str], reps: int, tabs: int, changes: int,
             samples: dict[tuple[str, str], list[dict[str, Any]]],
             missing: dict[str, str]) -> None:
    for _ in range(reps):
        for db, _label in DATABASES:
            for variant, _ in VARIANTS:
                if db in missing:
                    continue
                try:
                    got = _sample(py, db, variant, tabs, changes, log_dir)
                except (BenchError, OSError, subprocess.SubprocessError,
                        asyncio.TimeoutError, socketio.exceptions.ConnectionError) as exc:
                    failures.append(f"task changes ({db}, {variant}): {exc!r}")
                    missing[db] = f"failed: {exc!r}"
                    continue
                if isinstance(got, str):
                    missing[db] = got
                else:
                    samples.setdefault((db, variant), []).append(got)


def _table(samples: dict[tuple[str, str], list[dict[str, Any]]], missing: dict[str, str],
           tabs: int, changes: int) -> dict[str, Any]:
    rows: list[list[Any]] = []
    numbers: dict[str, Any] = {}
    for db, label in DATABASES:
        for variant, describe in VARIANTS:
            got = samples.get((db, variant))
            if not got:
                rows.append([label, describe, "–", "–", "–", missing.get(db, "no sample")])
                continue
            med = {k: statistics.median(s[k] for s in got) for k in ("p50", "p99", "cpu_us")}
            numbers[f"{db}-{variant}"] = med
            rows.append([label, describe, f"{med['p50']:.2f}", f"{med['p99']:.2f}",
                         f"{med['cpu_us']:.0f}", f"{len(got)} × {changes} changes"])
    return {"header": ["database", "task change path", "p50 ms (median)", "p99 ms (median)",
                       f"server CPU µs per change ({tabs} tabs)", "samples"],
            "rows": rows, "numbers": numbers}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.task_changes")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--reps", type=int, default=None)
    args = parser.parse_args(argv)
    failures: list[str] = []
    table = outbox_cost(sys.executable, ROOT / "var" / "bench" / "logs", failures,
                        reps=args.reps or (1 if args.smoke else 3),
                        changes=20 if args.smoke else 300)
    print(" | ".join(table["header"]))
    for row in table["rows"]:
        print(" | ".join(str(cell) for cell in row))
    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
