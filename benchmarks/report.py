"""The table `make bench` prints, the target checks, and the ablation variants."""
from __future__ import annotations

from typing import Any

from benchmarks.procs import Server
from benchmarks.scenarios import Sizes, Target


def _f(v: Any, digits: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, float) and v >= 1000:
        return f"{v:,.0f}"
    return f"{v:.{digits}f}" if isinstance(v, float) else str(v)


def ratio(v: Any, base: Any) -> str:
    if v is None or not base:
        return ""
    return f" ({v / base:.2f}×)"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def render(targets: list[Target], med: dict[str, dict[str, Any]], extras: dict[str, Any],
           sizes: Sizes, reps: int, smoke: bool) -> str:
    node = med.get("node", {})
    idle = sizes.idle
    out = [f"## Fan-out: {sizes.users} users × {sizes.tabs} tabs over WebSocket, bursts of "
           f"{sizes.burst_events} events per user; latency at {sizes.paced_rate:,} "
           f"deliveries/s paced (medians of {reps}{', SMOKE' if smoke else ''})", ""]
    rows = []
    for t in targets:
        m = med.get(t.key, {})
        rows.append([
            t.name,
            _f(m.get("cpu_us")) + ratio(m.get("cpu_us"), node.get("cpu_us")),
            _f(m.get("deliveries_s"), 0) + ratio(m.get("deliveries_s"), node.get("deliveries_s")),
            _f(m.get("p50_ms"), 2) + ratio(m.get("p50_ms"), node.get("p50_ms")),
            _f(m.get("p99_ms"), 2) + ratio(m.get("p99_ms"), node.get("p99_ms")),
            _f(m.get("paced_clear_p99_ms"), 2),
            _f(m.get("paced_lg_stalled_pct")),
            _f(m.get("paced_cpu_us")) + ratio(m.get("paced_cpu_us"), node.get("paced_cpu_us")),
            _f(m.get("connect_ms")) + ratio(m.get("connect_ms"), node.get("connect_ms")),
            f"{_f(m.get('lost'), 0)} / {_f(m.get('reordered'), 0)}",
            _f(m.get("loadgen_us")),
        ])
    out.append(_table(["server", "CPU µs/delivery", "deliveries/s", "p50 ms", "p99 ms",
                       "p99 ms clear of load-gen stalls", "load-gen stalled %",
                       "paced CPU µs/delivery", "connect ms (p50)", "lost / reordered",
                       "load-gen CPU µs/delivery"], rows))
    out += ["", "## Idle connections", ""]
    rows = []
    for t in targets:
        m = med.get(t.key, {})
        row = [t.name]
        for n in idle:
            mem = m.get(f"mem_kib_{n}")
            row.append(_f(mem) + ratio(mem, node.get(f"mem_kib_{n}")))
            row.append(_f(m.get(f"held_{n}"), 0) + " in " + _f(m.get(f"connect_s_{n}")) + " s")
        rows.append(row)
    header = ["server"]
    for n in idle:
        header += [f"KiB/conn at {n:,}", f"held {n:,}"]
    out.append(_table(header, rows))
    out += ["", f"## Long-polling ({sizes.poll_users} users × {sizes.poll_tabs} polling tabs, "
            f"{sizes.poll_rate:,} deliveries/s paced)", ""]
    out.append(_table(_POLL_HEADER, [_poll_row(t.name, med.get(t.key, {}), node)
                                     for t in targets if t.polling]))
    redis_title = "Fan-out through Redis, two processes (same clients and load as above)"
    outbox_title = "Task change -> event at 5 tabs: what the outbox costs"
    reconnect_title = (
        f"Mass reconnect: {sizes.reconnect_users:,} users × {sizes.reconnect_tabs} tabs on two "
        f"processes sharing Redis, {sizes.reconnect_rate:g} event per user per second, one "
        f"process SIGKILLed (medians of {(extras.get('reconnect') or {}).get('reps', '–')}; "
        "counts summed)")
    for key, title in (("redis", redis_title), ("agent", "Agent path"),
                       ("outbox", outbox_title), ("reconnect", reconnect_title)):
        ex = extras.get(key)
        out += ["", f"## {title}", ""]
        if not ex or ex.get("pending"):
            out.append(f"pending: {ex.get('pending') if ex else 'skipped'}")
        else:
            out.append(_table(list(ex["header"]), [list(map(str, r)) for r in ex["rows"]]))
    out += ["", "## Targets (Taskpulse vs the Node server, same run)", ""]
    if smoke:
        out.append("(smoke run: sizes far too small for these verdicts to mean anything)")
    out += [f"- {line}" for line in checks(med, extras, idle, sizes.agent_users)]
    return "\n".join(out)


_POLL_HEADER = ["server", "keep-alive p50 ms", "keep-alive p99 ms",
                "p99 ms clear of load-gen stalls", "load-gen stalled %",
                "server CPU µs/delivery", "new connection per poll: p50 ms", "p99 ms",
                "server CPU µs/delivery", "lost / reordered"]


def _poll_row(name: str, m: dict[str, Any], node: dict[str, Any]) -> list[str]:
    lost = (m.get("poll_lost") or 0) + (m.get("pollc_lost") or 0)
    reordered = (m.get("poll_reordered") or 0) + (m.get("pollc_reordered") or 0)
    return [name,
            _f(m.get("poll_p50_ms")) + ratio(m.get("poll_p50_ms"), node.get("poll_p50_ms")),
            _f(m.get("poll_p99_ms")) + ratio(m.get("poll_p99_ms"), node.get("poll_p99_ms")),
            _f(m.get("poll_clear_p99_ms")), _f(m.get("poll_lg_stalled_pct")),
            _f(m.get("poll_cpu_us"), 0) + ratio(m.get("poll_cpu_us"), node.get("poll_cpu_us")),
            _f(m.get("pollc_p50_ms")) + ratio(m.get("pollc_p50_ms"), node.get("pollc_p50_ms")),
            _f(m.get("pollc_p99_ms")) + ratio(m.get("pollc_p99_ms"), node.get("pollc_p99_ms")),
            _f(m.get("pollc_cpu_us"), 0) + ratio(m.get("pollc_cpu_us"), node.get("pollc_cpu_us")),
            "–" if m.get("poll_lost") is None else f"{lost:.0f} / {reordered:.0f}"]


def _no_worse(tp: dict[str, Any], node: dict[str, Any], prefix: str) -> bool | None:
    """Taskpulse's long-polling p50 and p99 within 10 % of Node's (or below)."""
    keys = (f"{prefix}_p50_ms", f"{prefix}_p99_ms")
    if any(tp.get(k) is None or node.get(k) is None for k in keys):
        return None
    return all(tp[k] <= node[k] * 1.1 for k in keys)


def checks(med: dict[str, dict[str, Any]], extras: dict[str, Any],
           idle: tuple[int, ...], agent_users: int) -> list[str]:
    tp, node = med.get("taskpulse", {}), med.get("node", {})

    def mark(ok: bool | None) -> str:
        return "n/a " if ok is None else ("MET " if ok else "NOT MET ")

    def le(a: Any, b: Any) -> bool | None:
        return None if a is None or b is None else a <= b

    lines = [
        mark(le(tp.get("cpu_us"), node.get("cpu_us")))
        + f"CPU per delivery ≤ Node's: {_f(tp.get('cpu_us'))} vs {_f(node.get('cpu_us'))} µs",
        mark(le(tp.get(f"mem_kib_{idle[0]}"), 27.0))
        + f"memory ≤ 27 KiB per idle connection at {idle[0]:,}: "
        f"{_f(tp.get(f'mem_kib_{idle[0]}'))} KiB",
        mark(le(tp.get("p99_ms"), 2.0)) + f"p99 ≤ 2 ms paced: {_f(tp.get('p99_ms'), 2)} ms "
        f"(Node {_f(node.get('p99_ms'), 2)}; over the deliveries clear of the load "
        f"generator's stalls {_f(tp.get('paced_clear_p99_ms'), 2)} ms, Node "
        f"{_f(node.get('paced_clear_p99_ms'), 2)}; load generator stalled "
        f"{_f(tp.get('paced_lg_stalled_pct'))} % of the phase)",
        mark(None if tp.get("lost") is None else tp.get("lost") == 0
             and tp.get("reordered") == 0 and (tp.get("poll_lost") or 0) == 0
             and (tp.get("pollc_lost") or 0) == 0)
        + "no event lost or reordered",
    ]
    for prefix, how in (("poll", "keep-alive, as browsers and the mobile SDKs poll"),
                        ("pollc", "a new connection per poll")):
        lines.append(mark(_no_worse(tp, node, prefix))
                     + f"long-polling ({how}) latency no worse than Node's (±10%): "
                     f"{_f(tp.get(f'{prefix}_p50_ms'))}/{_f(tp.get(f'{prefix}_p99_ms'))} vs "
                     f"{_f(node.get(f'{prefix}_p50_ms'))}/{_f(node.get(f'{prefix}_p99_ms'))} ms")
    agent_runs = (extras.get("agent") or {}).get("numbers") or {}
    for key, label in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        agent = agent_runs.get(key)
        lines.append(mark(None if not agent or agent.get("p50") is None else
                          agent["p50"] <= 15 and agent["p99"] <= 50)
                     + f"agent path ({label}, {agent_users} people chatting) p50 ≤ 15 ms and "
                     + "p99 ≤ 50 ms: "
                     + (f"{agent['p50']:.1f} / {agent['p99']:.1f} ms" if agent
                        else "not run"))
        closed = agent_runs.get(f"{key}-closed")
        if closed:
            lines.append(f"info agent path ({label}, closed loop): capacity "
                         f"{closed['runs_s']:.0f} runs/s at {closed['cpu_ms_per_run']:.2f} ms "
                         f"CPU per run; p50/p99 {closed['p50']:.1f} / {closed['p99']:.1f} ms")
    redis = (extras.get("redis") or {}).get("numbers")
    lines.append(mark(None if not redis else redis["lost"] == 0 and redis["reordered"] == 0)
                 + "Redis fan-out: no event lost or reordered")
    node_redis = (extras.get("redis") or {}).get("node")
    if redis and node_redis:
        lines.append(f"info Redis fan-out, CPU per delivery (both processes): "
                     f"{_f(redis.get('cpu_us'))} vs Node + redis-adapter "
                     f"{_f(node_redis.get('cpu_us'))} µs; p99 {_f(redis.get('p99_ms'), 2)} vs "
                     f"{_f(node_redis.get('p99_ms'), 2)} ms")
    if "reconnect" in extras:
        from benchmarks.mass_reconnect import checks as reconnect_checks   # imports this module
        lines += reconnect_checks(extras["reconnect"])
    if len(idle) > 1:
        n = idle[-1]
        lines.append(mark(None if tp.get(f"held_{n}") is None else tp.get(f"held_{n}") == n)
                     + f"{n:,} idle connections held by one process")
    return lines


def ablation_targets(py: str) -> list[Target]:
    """Taskpulse with one optimisation switched off each, to measure what each buys."""
    base = [py, "-m", "benchmarks.taskpulse_server"]

    def variant(name: str, key: str, extra: list[str], env: dict[str, str]) -> Target:
        return Target(name, key, "sio", lambda: [Server(key, base + extra, env)])

    return [
        variant("Taskpulse, none of the optimisations", "tp-none", ["--no-uvloop"],
                {"TASKPULSE_SIO_COMPRESSION": "true", "TASKPULSE_SIO_FAST_FANOUT": "false",
                 "BENCH_JSON": "stdlib"}),
        variant("Taskpulse, + deflate refused", "tp-deflate", ["--no-uvloop"],
                {"TASKPULSE_SIO_FAST_FANOUT": "false", "BENCH_JSON": "stdlib"}),
        variant("Taskpulse, + uvloop", "tp-uvloop", [],
                {"TASKPULSE_SIO_FAST_FANOUT": "false", "BENCH_JSON": "stdlib"}),
        variant("Taskpulse, + orjson", "tp-orjson", [],
                {"TASKPULSE_SIO_FAST_FANOUT": "false"}),
        # Everything on but one of the per-connection hooks (memory, connect time).
        variant("Taskpulse, all but lean_connections", "tp-no-lean", [],
                {"TASKPULSE_SIO_LEAN_CONNECTIONS": "false"}),
        variant("Taskpulse, all but lean_upgrades", "tp-no-upgrades", [],
                {"TASKPULSE_SIO_LEAN_UPGRADES": "false"}),
        variant("Taskpulse, all but lean_reader", "tp-no-reader", [],
                {"TASKPULSE_SIO_LEAN_READER": "false"}),
    ]
