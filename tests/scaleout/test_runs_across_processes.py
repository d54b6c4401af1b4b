"""Agent runs owned by one process, seen and controlled from another: cancel from anywhere,
a killed owner's runs end as interrupted for every tab, and a SIGTERM lets runs finish while
the process's tabs move to the other one. The offline model is slowed down so a run lasts
a few seconds (``offline_chunk_delay_ms``; "help" streams about 30 chunks)."""
from __future__ import annotations

import asyncio
import signal
import time
import uuid
from typing import Any

import aiohttp
import pytest

from tests.conftest import Account
from tests.web.socket.conftest import Tab
from tests.scaleout.cluster import sequence

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

SLOW = {"TASKPULSE_OFFLINE_CHUNK_DELAY_MS": "120"}      # a "help" run takes ~3.5 s
TERMINAL = ("agent_done", "agent_error", "agent_cancelled")


async def get(url: str, path: str, account: Account) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http:
        async with http.get(url + path, headers=account.headers) as resp:
            body = await resp.json()
            assert resp.status == 200, body
            return dict(body)


def run_events(t: Tab, run_id: str) -> list[tuple[str, Any]]:
    return [(n, d) for n, d in t.stream() if d.get("run_id") == run_id]


def ended(t: Tab, run_id: str) -> bool:
    return any(n in TERMINAL for n, d in run_events(t, run_id) if "seq" in d)


async def start_slow_run(t: Tab) -> tuple[str, str]:
    ack = await t.call("chat_send", {"message": "help", "client_msg_id": "m1"})
    assert "run_id" in ack, ack
    return ack["run_id"], ack["conversation_id"]


async def test_cancel_from_a_tab_on_another_process_stops_the_run(cluster, tab):
    a, b = await cluster.start(2, **SLOW)
    acct = await cluster.signup(a)
    on_a, on_b = await tab(a.url, acct), await tab(b.url, acct, ["polling"])
    run_id, _ = await start_slow_run(on_a)
    await on_b.wait_for(lambda: any(n == "agent_token" for n, _ in run_events(on_b, run_id)))
    ack = await on_b.call("run_cancel", {"run_id": run_id})
    assert ack == {"ok": True, "run_id": run_id}
    for t in (on_a, on_b):
        await t.wait_for(lambda t=t: ended(t, run_id), timeout=5)
    assert run_events(on_a, run_id)[-1][0] == "agent_cancelled"
    assert sequence(on_a.events) == sequence(on_b.events)
    run = (await get(b.url, f"/api/{acct.user_id}/runs/{run_id}", acct))["run"]
    assert run["status"] == "cancelled"
    assert (await on_b.call("run_cancel", {"run_id": run_id}))["ok"] is False

    run_id, conversation_id = await start_slow_run(on_a)      # deleting its conversation
    await on_b.wait_for(lambda: any(n == "agent_token" for n, _ in run_events(on_b, run_id)))
    async with aiohttp.ClientSession() as http:
        async with http.delete(f"{b.url}/api/{acct.user_id}/conversations/{conversation_id}",
                               headers=acct.headers) as resp:
            assert resp.status == 204
    await on_b.wait_for(lambda: ended(on_b, run_id), timeout=5)
    assert run_events(on_b, run_id)[-1][0] == "agent_cancelled"     # stopped on A first


async def test_a_killed_process_s_run_ends_interrupted_on_every_tab(cluster, tab):
    # The default heartbeat (1 s): the run must end within 5 s of the kill.
    a, b = await cluster.start(2, **SLOW, TASKPULSE_PROCESS_HEARTBEAT_SECONDS="1")
    acct = await cluster.signup(a)
    on_a, on_b = await tab(a.url, acct), await tab(b.url, acct, ["polling"])
    run_id, conversation_id = await start_slow_run(on_a)
    await on_b.wait_for(lambda: any(n == "agent_token" for n, _ in run_events(on_b, run_id)))
    killed = time.monotonic()
    a.signal(signal.SIGKILL)
    assert await a.wait_exit(5) is not None
    await on_b.wait_for(lambda: ended(on_b, run_id), timeout=10)
    assert time.monotonic() - killed <= 5.0
    await asyncio.wait_for(on_a.disconnected.wait(), 5)
    last_seen = on_a.stream_ids()[-1]
    moved = await tab(b.url, acct, last_event_id=last_seen)       # what a balancer does
    for t in (moved, on_b):
        await t.wait_for(lambda t=t: ended(t, run_id), timeout=10)
    name, error = run_events(on_b, run_id)[-1]
    assert name == "agent_error" and error["code"] == "interrupted"
    assert error["seq"] == run_events(on_b, run_id)[-2][1]["seq"] + 1
    assert sequence(on_a.events) + sequence(moved.events) == sequence(on_b.events)
    run = (await get(b.url, f"/api/{acct.user_id}/runs/{run_id}", acct))["run"]
    assert run["status"] == "interrupted"
    messages = (await get(b.url, f"/api/{acct.user_id}/conversations/{conversation_id}"
                                 "/messages", acct))["messages"]
    assert [(m["role"], m["content"]) for m in messages] == [("user", "help")]
    ack = await on_b.call("chat_send", {"message": "hello", "conversation_id": conversation_id})
    assert "run_id" in ack, ack          # the conversation is free again


async def test_sigterm_lets_the_run_finish_while_tabs_move_to_the_other_process(cluster, tab):
    a, b = await cluster.start(2, **SLOW)
    acct = await cluster.signup(a)
    on_a, on_b = await tab(a.url, acct), await tab(b.url, acct)
    polling_a = await tab(a.url, acct, ["polling"])
    run_id, _ = await start_slow_run(on_a)
    await on_b.wait_for(lambda: any(n == "agent_token" for n, _ in run_events(on_b, run_id)))
    stopping = time.monotonic()
    a.signal(signal.SIGTERM)
    await asyncio.wait_for(on_a.disconnected.wait(), 3)
    await asyncio.wait_for(polling_a.disconnected.wait(), 3)
    assert time.monotonic() - stopping < 1.5      # not after a heartbeat timeout (4 s)
    moved = await tab(b.url, acct, last_event_id=on_a.stream_ids()[-1])
    for t in (moved, on_b):
        await t.wait_for(lambda t=t: ended(t, run_id), timeout=10)
    assert run_events(on_b, run_id)[-1][0] == "agent_done"
    assert sequence(on_a.events) + sequence(moved.events) == sequence(on_b.events)
    assert await a.wait_exit(10) == 0


async def test_sigterm_interrupts_runs_that_outlast_the_grace_period(cluster, tab):
    a, b = await cluster.start(2, TASKPULSE_SHUTDOWN_GRACE_SECONDS="0.5", **SLOW)
    acct = await cluster.signup(a)
    on_b = await tab(b.url, acct)
    on_a = await tab(a.url, acct)
    run_id, _ = await start_slow_run(on_a)
    await on_b.wait_for(lambda: any(n == "agent_token" for n, _ in run_events(on_b, run_id)))
    a.signal(signal.SIGTERM)
    await on_b.wait_for(lambda: ended(on_b, run_id), timeout=5)
    name, error = run_events(on_b, run_id)[-1]
    assert name == "agent_error" and error["code"] == "interrupted"
    assert await a.wait_exit(10) == 0
    run = (await get(b.url, f"/api/{acct.user_id}/runs/{run_id}", acct))["run"]
    assert run["status"] == "interrupted"


async def _insert_tasks(database_url: str, user_id: str, count: int) -> None:
    import asyncpg
    conn = await asyncpg.connect(database_url)
    try:
        await conn.executemany(
            "INSERT INTO task (id, owner_id, title, description, priority, completed, "
            "created_at, updated_at) VALUES ($1, $2, $3, '', 'medium', false, now(), now())",
            [(uuid.uuid4(), uuid.UUID(user_id), f"task {n}") for n in range(count)])
    finally:
        await conn.close()


async def _completed(database_url: str, user_id: str) -> int:
    import asyncpg
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM task WHERE owner_id = $1 "
                                       "AND completed", uuid.UUID(user_id)))
    finally:
        await conn.close()


async def test_a_bulk_tool_cut_short_by_a_kill_ends_truthfully_and_loses_no_change(
        cluster, tab):
    """The issue's case: SIGKILL during "complete everything". Every saved change reaches
    the tabs (the outbox), the cut-short step ends with tool_error and an audit row."""
    a, b = await cluster.start(2)
    acct = await cluster.signup(a)
    database_url = cluster.env["TASKPULSE_DATABASE_URL"]
    await _insert_tasks(database_url, acct.user_id, 400)
    on_a, on_b = await tab(a.url, acct), await tab(b.url, acct)
    ack = await on_a.call("chat_send", {"message": "mark everything done"})
    run_id = ack["run_id"]
    await on_b.wait_for(lambda: any(n == "tool_progress" for n, _ in run_events(on_b, run_id)),
                        timeout=20)
    a.signal(signal.SIGKILL)
    assert await a.wait_exit(5) is not None
    await on_b.wait_for(lambda: ended(on_b, run_id), timeout=15)
    events = run_events(on_b, run_id)
    (call_id,) = {d["call_id"] for n, d in events if n == "tool_starting"
                  and d["tool"] == "complete_all_tasks"}
    ends = [(n, d) for n, d in events if d.get("call_id") == call_id
            and n in ("tool_complete", "tool_error")]
    assert [(n, d["error"]) for n, d in ends] == [("tool_error", "interrupted")]
    assert events[-1][0] == "agent_error" and events[-1][1]["code"] == "interrupted"
    done = await _completed(database_url, acct.user_id)
    assert 0 < done < 400

    def changes() -> int:
        return len({d["task"]["id"] for n, d in on_b.stream() if n == "task_updated"
                    and d["task"]["completed"]})

    await on_b.wait_for(lambda: changes() == done, timeout=20)
    run = (await get(b.url, f"/api/{acct.user_id}/runs/{run_id}", acct))["run"]
    [step] = [s for s in run["steps"] if s["call_id"] == call_id]
    assert step["ok"] is False and step["error"] == "interrupted"
