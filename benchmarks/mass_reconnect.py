"""Mass reconnect: two processes sharing Redis, one SIGKILLed while events flow; its tabs
reconnect to the other and must catch up with nothing lost, doubled or reordered.

``python -m benchmarks.mass_reconnect [--smoke] [--reps N]`` runs this row alone (raw
numbers in ``var/bench/mass_reconnect.json``); `make bench` runs it as its ``reconnect``
scenario, at most two repetitions (``--skip reconnect`` leaves it out).

Per server kind, on a fresh pair (both on core 0, the clients on core 1):
``reconnect_users`` × ``reconnect_tabs`` tabs of socket.io-client 4.8
(``benchmarks/node/reconnect.js``), tab ``k`` of all on process ``k % 2``; events published
on the survivor; SIGKILL of the other, whose tabs move to the survivor on their first
reconnection attempt (a URL list: the stand-in for a balancer). Measured: time from the kill
until each moved tab is caught up, the survivor's CPU until all are, events lost /
duplicated / out of order, resyncs or sessions not recovered, where the catch-ups came
from (``/bench/stats``). See docs/performance.md, "Mass reconnect".

Node: socket.io 4.8 with ``connectionStateRecovery`` on the official
``@socket.io/redis-streams-adapter``. Taskpulse: its Redis Streams event log and relay.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.extra import REDIS_URL, _redis_up
from benchmarks.procs import (NODE_DIR, ROOT, BenchError, LoadGen, Server, cpu_seconds,
                              npm_ci, pinned, raise_fd_limit)
from benchmarks.report import ratio
from benchmarks.scenarios import Sizes, medians

PAIRS = (("node", "Node socket.io 4.8, Connection State Recovery on "
                  "@socket.io/redis-streams-adapter 0.3"),
         ("taskpulse", "Taskpulse (Redis Streams event log, client-held last_event_id)"))
SUMMED = ("lost", "dup", "reordered", "resync", "unrecovered", "not_caught_up",
          "db_catch_ups", "tabs_losing")


class ReconnectClients(LoadGen):
    """``benchmarks/node/reconnect.js`` on its own core, driven like the load generator."""

    def __init__(self, core: int | None = 1) -> None:
        cmd = pinned(["node", "--max-old-space-size=4096", str(NODE_DIR / "reconnect.js")], core)
        self.proc = subprocess.Popen(cmd, cwd=ROOT, text=True, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=sys.stderr)


def _pair(py: str, key: str, name: str) -> list[Server]:
    env = {"BENCH_SECRET": secrets.token_urlsafe(48), "BENCH_REDIS_CHANNEL": name}
    if key == "node":
        cmd = ["node", "benchmarks/node/server.js", "0"]
        env |= {"BENCH_REDIS_URL": REDIS_URL, "BENCH_REDIS_ADAPTER": "streams"}
    else:
        cmd = [py, "-m", "benchmarks.taskpulse_server"]
        env |= {"TASKPULSE_REDIS_URL": REDIS_URL, "TASKPULSE_REDIS_PREFIX": name}
    return [Server(f"{key}-reconnect-{i}", cmd, env) for i in (1, 2)]


def _drop_keys(name: str) -> None:
    """The run's own Redis keys (streams, sessions): they share the machine's Redis."""
    import redis
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{name}*", count=1000))
        for i in range(0, len(keys), 500):
            client.delete(*keys[i:i + 500])
    finally:
        client.close()


def _until_stream_ends(clients: LoadGen, published: list[int], deadline: float) -> None:
    """Until some tab of every user has the user's last event (or the deadline)."""
    while time.monotonic() < deadline:
        top = clients.call(30, cmd="seen", users=len(published))["top"]
        if all(t >= p for t, p in zip(top, published)):
            return
        time.sleep(0.2)


def sample(py: str, key: str, sizes: Sizes, log_dir: Path) -> dict[str, Any]:
    """One fresh pair of one kind: connect, publish, kill, measure."""
    name = f"bench-reconnect-{key}-{os.getpid()}-{secrets.token_hex(3)}"
    victim, survivor = servers = _pair(py, key, name)
    clients: LoadGen | None = None
    users, tabs = sizes.reconnect_users, sizes.reconnect_tabs
    try:
        for s in servers:
            s.start(log_dir)
        setup = survivor.control("setup", users=users)
        victim.control("setup", users=users)     # the same users (its own database)
        # Tab k of them all on process k % 2 (3 + 2 or 2 + 3 tabs of each user).
        clients = ReconnectClients()
        conn = clients.call(250, cmd="connect", tokens=setup["tokens"], tabs=tabs,
                            urls=[victim.url, survivor.url], concurrency=50, timeout=240)
        if conn["failed"]:
            raise BenchError(f"{conn['failed']} of {users * tabs} tabs could not connect")
        rate = users * sizes.reconnect_rate
        limit = sizes.reconnect_before_s + sizes.reconnect_limit_s + sizes.reconnect_live_s
        survivor.control("pace", users=users, rate=rate, seconds=limit, overlap=1)
        time.sleep(1)
        before, cpu0 = _cpu_rate(survivor.pid, sizes.reconnect_before_s - 1)   # half the tabs
        gen0, queued0 = cpu_seconds(clients.pid), _queued(survivor.pid)
        killed_at = time.monotonic() * 1000
        os.kill(victim.pid, signal.SIGKILL)
        caught = clients.call(sizes.reconnect_limit_s + 10, cmd="caught_up",
                              victim=victim.url, timeout=sizes.reconnect_limit_s)
        cpu = cpu_seconds(survivor.pid) - cpu0
        gen_cpu, queued = cpu_seconds(clients.pid) - gen0, _queued(survivor.pid) - queued0
        after, _ = _cpu_rate(survivor.pid, sizes.reconnect_live_s)   # every tab, live
        published = survivor.control("stop", users=users)["published"]
        _until_stream_ends(clients, published, time.monotonic() + 15)
        rep = clients.call(120, cmd="report", killed_at=killed_at, published=published)
        stats = survivor.control("stats")
    finally:     # the servers first: 5,000 clients closing one by one cost seconds of CPU
        try:
            for s in servers:
                s.stop()
            if clients is not None:
                clients.close()
        finally:
            _drop_keys(name)
    out = _numbers(key, rep, stats, caught, killed_at, cpu, conn)
    # What the reconnections cost above the steady delivery, taken as the mean of the rates
    # before the kill (half the tabs on the survivor) and after the recovery (all of them).
    extra = cpu - (before + after) / 2 * (caught["at"] - killed_at) / 1000
    return {**out, "steady_cpu_pct": before * 100, "live_cpu_pct": after * 100,
            "clients_cpu_s": gen_cpu, "survivor_queued_s": queued,
            "cpu_ms_per_reconnect": extra / out["moved"] * 1000 if out["moved"] else None}


def _queued(pid: int) -> float:
    """Seconds the main thread (the event loop) waited, ready, for a core (0 if unknown)."""
    try:
        with open(f"/proc/{pid}/schedstat") as fh:
            return int(fh.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):   # a kernel without scheduler statistics
        return 0.0


def _cpu_rate(pid: int, seconds: float) -> tuple[float, float]:
    """The process's CPU seconds per second over the next ``seconds``, and its last reading."""
    start, began = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    end = cpu_seconds(pid)
    return (end - start) / (time.monotonic() - began), end


def _numbers(key: str, rep: dict[str, Any], stats: dict[str, Any], caught: dict[str, Any],
             killed_at: float, cpu: float, conn: dict[str, Any]) -> dict[str, Any]:
    window = (caught["at"] - killed_at) / 1000
    if key == "taskpulse":
        db_catch_ups = stats["resync"]      # no catch-up reads the database; a resync reloads
    else:                                   # a session not recovered: the app reloads
        db_catch_ups = stats["recovery_asked"] - stats["recovered"]
    return {
        "tabs": rep["tabs"], "moved": rep["moved"], "not_caught_up": rep["not_caught_up"],
        **{k: v for k, v in rep.items() if k.endswith("_s")},   # times after the kill
        "all_caught_s": window if caught["caught_up"] == caught["moved"] else None,
        "cpu_s": cpu, "cpu_pct": cpu / window * 100 if window > 0 else None,
        "lost": rep["lost"], "dup": rep["dup"], "reordered": rep["reordered"],
        "tabs_losing": rep["tabs_losing"], "stayed_lost": rep["stayed_lost"],
        "resync": rep["resync"] + rep["unrecovered"], "unrecovered": rep["unrecovered"],
        "attempts": rep["attempts"], "connect_errors": rep["connect_errors"],
        "db_catch_ups": db_catch_ups, "connect_s": conn["elapsed_ms"] / 1000,
        **{f"server_{k}": v for k, v in stats.items()},
    }


def mass_reconnect(py: str, sizes: Sizes, log_dir: Path, failures: list[str],
                   reps: int = 1) -> dict[str, Any]:
    """Node's pair and Taskpulse's, alternating, ``reps`` times; medians (counts summed)."""
    if not _redis_up():
        return {"pending": f"no Redis at {REDIS_URL}"}
    samples: dict[str, list[dict[str, Any]]] = {key: [] for key, _ in PAIRS}
    for rep in range(reps):
        for key, name in PAIRS:
            print(f"[mass reconnect {rep + 1}/{reps}] {name}", file=sys.stderr, flush=True)
            try:
                samples[key].append(sample(py, key, sizes, log_dir))
            except (BenchError, OSError) as exc:
                failures.append(f"mass reconnect ({name}): {exc}")
    med = {key: {**medians(rows, summed=SUMMED), "samples": rows}
           for key, rows in samples.items() if rows}
    if "taskpulse" not in med:
        return {"pending": "failed (see the harness failures)"}
    tp = med["taskpulse"]
    if tp["not_caught_up"] or tp["lost"] or tp["dup"] or tp["reordered"]:
        failures.append(f"mass reconnect (Taskpulse): {tp['not_caught_up']} tabs not caught "
                        f"up, {tp['lost']} lost, {tp['dup']} duplicated, "
                        f"{tp['reordered']} out of order")
    node = med.get("node", {})
    rows = [_row(name, sizes, med.get(key), node) for key, name in PAIRS]
    return {"header": HEADER, "rows": rows, "numbers": tp, "node": node or None,
            "reps": reps}


HEADER = ["2 processes, one SIGKILLed", "tabs (moved)", "caught up p50 s", "p95 s", "max s",
          "back on the survivor p50 s", "all caught up s",
          "survivor CPU s (kill → all caught up)", "events lost", "duplicated / out of order",
          "tabs resynced (not recovered)", "recoveries needing the database"]


def _row(name: str, sizes: Sizes, m: dict[str, Any] | None, node: dict[str, Any]
         ) -> list[str]:
    if m is None:
        return [name] + ["–"] * (len(HEADER) - 1)

    def t(k: str) -> str:
        v = m.get(k)
        return "–" if v is None else f"{v:.2f}" + ratio(v, node.get(k))

    return [name, f"{sizes.reconnect_users:,} × {sizes.reconnect_tabs} ({m['moved']:,.0f})",
            t("caught_p50_s"), t("caught_p95_s"), t("caught_max_s"), t("back_p50_s"),
            t("all_caught_s") if m.get("all_caught_s") is not None
            else f"no: {m['not_caught_up']:.0f} tabs not caught up",
            t("cpu_s"), f"{m['lost']:,.0f} ({m['tabs_losing']:,.0f} tabs)",
            f"{m['dup']:.0f} / {m['reordered']:.0f}", f"{m['resync']:,.0f}",
            f"{m['db_catch_ups']:,.0f}"]


def checks(extra: dict[str, Any] | None) -> list[str]:
    """The issue's targets for this row."""
    tp = (extra or {}).get("numbers")
    node = (extra or {}).get("node") or {}
    if not tp:
        return ["n/a mass reconnect: not run"]

    def mark(ok: bool | None) -> str:
        return "n/a " if ok is None else ("MET " if ok else "NOT MET ")

    def le(k: str) -> bool | None:
        return None if tp.get(k) is None or node.get(k) is None else tp[k] <= node[k]

    recovered = (tp["not_caught_up"] == 0 and tp["lost"] == 0 and tp["dup"] == 0
                 and tp["reordered"] == 0)
    return [
        mark(recovered) + f"mass reconnect: every tab recovered, 0 lost / duplicated / out of "
        f"order ({tp['not_caught_up']:.0f} not caught up, {tp['lost']:.0f} lost, "
        f"{tp['dup']:.0f} duplicated, {tp['reordered']:.0f} out of order; Node "
        f"{node.get('lost', 0):.0f} lost)",
        mark(tp["db_catch_ups"] == 0) + "mass reconnect: no catch-up needed the database "
        f"({tp['db_catch_ups']:.0f}; Node {node.get('db_catch_ups', 0):.0f} sessions not "
        "recovered)",
        mark(le("caught_p95_s")) + f"mass reconnect: time to caught up ≤ Node's: p50 / p95 "
        f"{_fs(tp.get('caught_p50_s'))} / {_fs(tp.get('caught_p95_s'))} s vs "
        f"{_fs(node.get('caught_p50_s'))} / {_fs(node.get('caught_p95_s'))} s",
        mark(le("cpu_s")) + f"mass reconnect: survivor CPU ≤ Node's: {_fs(tp.get('cpu_s'))} vs "
        f"{_fs(node.get('cpu_s'))} s",
        f"info mass reconnect: survivor CPU per reconnection, above its steady rate: "
        f"{_fs(tp.get('cpu_ms_per_reconnect'))} vs Node {_fs(node.get('cpu_ms_per_reconnect'))}"
        " ms",
    ]


def _fs(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}"


SMOKE_SIZES: dict[str, Any] = {"reconnect_users": 4, "reconnect_before_s": 1.5,
                               "reconnect_limit_s": 10.0, "reconnect_live_s": 1.0}   # 20 tabs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mass_reconnect",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="20 tabs, quick")
    parser.add_argument("--reps", type=int, default=1)
    args = parser.parse_args(argv)
    raise_fd_limit()
    npm_ci()
    failures: list[str] = []
    sizes = replace(Sizes(), **SMOKE_SIZES) if args.smoke else Sizes()
    out = mass_reconnect(sys.executable, sizes, ROOT / "var" / "bench" / "logs", failures,
                         args.reps)
    raw = ROOT / "var" / "bench" / "mass_reconnect.json"
    raw.write_text(json.dumps({"sizes": sizes.__dict__, "result": out, "failures": failures},
                              indent=1, default=str))
    if out.get("pending"):
        print(f"pending: {out['pending']}")
    else:
        print("| " + " | ".join(out["header"]) + " |\n|" + "---|" * len(out["header"]))
        print("\n".join("| " + " | ".join(r) + " |" for r in out["rows"]))
        print("\n".join(f"- {line}" for line in checks(out)))
    if failures:
        print("harness failures:\n  " + "\n  ".join(failures), file=sys.stderr)
    return 1 if failures or out.get("pending") else 0


if __name__ == "__main__":
    raise SystemExit(main())
