"""The benchmark scenarios. Each one starts a fresh server, drives it, stops it, and returns
a flat dict of numbers (``None`` where a number does not apply)."""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from benchmarks.procs import BenchError, LoadGen, Server, cpu_seconds, rss_bytes


@dataclass(frozen=True)
class Sizes:
    users: int = 100
    tabs: int = 5
    burst_events: int = 50
    bursts: int = 4
    paced_rate: int = 10_000          # deliveries/s
    paced_seconds: float = 5.0
    idle: tuple[int, ...] = (2_000, 10_000)
    poll_users: int = 20
    poll_tabs: int = 5
    poll_rate: int = 1_000            # deliveries/s
    poll_seconds: float = 5.0
    settle_s: float = 3.0             # idle: wait before reading the server's RSS
    agent_users: int = 20             # agent path: users chatting at once
    agent_rounds: int = 10            # messages per user, one after another
    agent_think_ms: int = 1000        # agent path: a user's pause between answer and next
    reconnect_users: int = 1_000      # mass reconnect (benchmarks/mass_reconnect.py)
    reconnect_tabs: int = 5
    reconnect_rate: float = 1.0       # events per user per second, published on the survivor
    reconnect_before_s: float = 3.0   # events flowing before the kill
    reconnect_limit_s: float = 30.0   # longest the recovery may take
    reconnect_live_s: float = 2.0     # events still flowing once every tab is caught up


@dataclass(frozen=True)
class Target:
    name: str
    key: str
    kind: str                                     # "sio" or "raw"
    servers: Callable[[], list[Server]]           # fresh, unstarted server(s)
    polling: bool = True


def _connect(gen: LoadGen, tokens: list[str], tabs: int, timeout: float = 120,
             url: str | None = None, keepalive: bool = False) -> dict[str, Any]:
    res = gen.call(timeout + 10, cmd="connect", tokens=tokens, tabs=tabs, concurrency=50,
                   timeout=timeout, url=url, keepalive=keepalive)
    if res["failed"]:
        raise BenchError(f"{res['failed']} of {len(tokens) * tabs} clients could not connect")
    return dict(res)


def _measured(server_pids: list[int], gen: LoadGen, trigger: Callable[[], Any],
              per_client: int, timeout: float) -> dict[str, Any]:
    gen.call(10, cmd="arm")
    cpu0 = sum(cpu_seconds(p) for p in server_pids)
    gen0 = cpu_seconds(gen.pid)
    trigger()
    res = dict(gen.call(timeout + 10, cmd="wait", per_client=per_client, timeout=timeout))
    res["server_cpu"] = sum(cpu_seconds(p) for p in server_pids) - cpu0
    res["loadgen_cpu"] = cpu_seconds(gen.pid) - gen0
    return res


def _started(target: Target, log_dir: Path) -> list[Server]:
    servers = target.servers()
    try:
        for s in servers:
            s.start(log_dir)
    except Exception:
        for s in servers:
            s.stop()
        raise
    return servers


def fanout(target: Target, sizes: Sizes, log_dir: Path) -> dict[str, Any]:
    """500 WebSocket clients: bursts of events per user, then a paced stream for latency."""
    servers = _started(target, log_dir)
    main = servers[0]
    gen: LoadGen | None = None
    try:
        setup = main.control("setup", users=sizes.users)
        gen = LoadGen(main.url, target.kind)
        conn = _connect(gen, setup["tokens"], sizes.tabs)
        return {**drive(main, [s.pid for s in servers], gen, sizes),
                "connect_ms": conn["connect_ms"]["p50"]}
    finally:
        if gen is not None:
            gen.close()
        for s in servers:
            s.stop()


def drive(main: Server, pids: list[int], gen: LoadGen, sizes: Sizes,
          overlap: bool = False) -> dict[str, Any]:
    """Warm-up, measured bursts, then the paced stream; the clients are connected already.
    ``overlap``: a user's burst events are each published without waiting for the one
    before (as Node's ``emit`` does in any case)."""
    users, tabs = sizes.users, sizes.tabs
    flag = {"overlap": 1} if overlap else {}
    _measured(pids, gen, lambda: main.control("burst", users=users, events=2, **flag), 2, 30)
    cpu = loadgen = 0.0
    delivered = lost = reordered = 0
    rates = []
    for _ in range(sizes.bursts):
        r = _measured(pids, gen, lambda: main.control("burst", users=users,
                                                      events=sizes.burst_events, **flag),
                      sizes.burst_events, 60)
        cpu += r["server_cpu"]
        loadgen += r["loadgen_cpu"]
        delivered += r["received"]
        lost += r["lost"]
        reordered += r["reordered"]
        span = (r["last_ms"] - r["min_t"]) / 1000 if r["min_t"] else 0
        rates.append(r["received"] / span if span > 0 else 0.0)
    events_per_s = sizes.paced_rate / tabs
    per_client = round(events_per_s * sizes.paced_seconds) // users
    paced = _measured(pids, gen, lambda: main.control(
        "pace", users=users, rate=events_per_s, seconds=sizes.paced_seconds),
        per_client, sizes.paced_seconds + 30)
    return {
        "cpu_us": cpu / delivered * 1e6 if delivered else None,
        "deliveries_s": sorted(rates)[len(rates) // 2] if rates else None,
        "loadgen_us": loadgen / delivered * 1e6 if delivered else None,
        "lost": lost + paced["lost"],
        "reordered": reordered + paced["reordered"],
        "p50_ms": paced["lat"]["p50"],
        "p99_ms": paced["lat"]["p99"],
        **stall_numbers(paced, "paced"),
        "paced_cpu_us": (paced["server_cpu"] / paced["received"] * 1e6
                         if paced["received"] else None),
    }


def medians(rows: list[dict[str, Any]], summed: tuple[str, ...] = ()) -> dict[str, Any]:
    """Each number's median over the repetitions (``None`` where none has it); the keys in
    ``summed`` are added up instead."""
    out: dict[str, Any] = {}
    for k in {k for r in rows for k in r}:
        values = [r[k] for r in rows if r.get(k) is not None]
        if k in summed:
            out[k] = sum(values)
        else:
            out[k] = statistics.median(values) if values else None
    return out


def stall_numbers(res: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The load generator's own stalls during a paced phase (see loadgen.js ``watch``): the
    share of the phase it was stalled, and p99 over the deliveries clear of its stalls."""
    stalls, clear = res.get("stalls") or {}, res.get("clear") or {}
    share = stalls.get("share")
    return {f"{prefix}_lg_stalled_pct": None if share is None else share * 100,
            f"{prefix}_clear_p99_ms": clear.get("p99")}


def idle(target: Target, clients: int, tabs: int, log_dir: Path,
         settle_s: float = 3.0) -> dict[str, Any]:
    """RSS growth per idle WebSocket connection (fresh process, after a small warm-up)."""
    servers = _started(target, log_dir)
    main = servers[0]
    gen = warm = None
    try:
        users = max(1, clients // tabs)
        setup = main.control("setup", users=users)
        warm = LoadGen(main.url, target.kind)
        _connect(warm, setup["tokens"][:4], tabs)
        warm.close()
        warm = None
        time.sleep(settle_s / 3)
        before = rss_bytes(main.pid)
        gen = LoadGen(main.url, target.kind)
        conn = _connect(gen, setup["tokens"], tabs, timeout=240)
        time.sleep(settle_s)
        after = rss_bytes(main.pid)
        n = users * tabs
        return {f"mem_kib_{clients}": (after - before) / n / 1024,
                f"connect_s_{clients}": conn["elapsed_ms"] / 1000,
                f"held_{clients}": n if main.proc and main.proc.poll() is None else 0}
    finally:
        for g in (warm, gen):
            if g is not None:
                g.close()
        for s in servers:
            s.stop()


def polling(target: Target, sizes: Sizes, log_dir: Path) -> dict[str, Any]:
    """Long-polling clients (no WebSocket) on a paced stream: latency p50/p99 and server CPU,
    twice on one server: with HTTP keep-alive as browsers and the mobile SDKs poll
    (``poll_*``), then with a new TCP connection for every poll (``pollc_*``), which is what
    socket.io-client does under Node without an agent."""
    servers = _started(target, log_dir)
    main = servers[0]
    try:
        setup = main.control("setup", users=sizes.poll_users)
        out: dict[str, Any] = {}
        for prefix, keepalive in (("poll", True), ("pollc", False)):
            gen = LoadGen(main.url, target.kind, transport="polling")
            try:
                _connect(gen, setup["tokens"], sizes.poll_tabs, keepalive=keepalive)
                out |= _paced_polls(main, gen, sizes, prefix)
            finally:
                gen.close()
        return out
    finally:
        for s in servers:
            s.stop()


def _paced_polls(main: Server, gen: LoadGen, sizes: Sizes, prefix: str) -> dict[str, Any]:
    events_per_s = sizes.poll_rate / sizes.poll_tabs
    total = round(events_per_s * sizes.poll_seconds)
    r = _measured([main.pid], gen, lambda: main.control(
        "pace", users=sizes.poll_users, rate=events_per_s, seconds=sizes.poll_seconds),
        total // sizes.poll_users, sizes.poll_seconds + 30)
    got = r["received"]
    return {f"{prefix}_p50_ms": r["lat"]["p50"], f"{prefix}_p99_ms": r["lat"]["p99"],
            f"{prefix}_lost": r["lost"], f"{prefix}_reordered": r["reordered"],
            f"{prefix}_cpu_us": r["server_cpu"] / got * 1e6 if got else None,
            **stall_numbers(r, prefix)}
