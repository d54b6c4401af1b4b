"""Two real server processes on one PostgreSQL and one Redis: every tab sees every event in
the same order whichever process it is on, catch-up works across processes, limits are
shared, and nginx in front of them serves WebSocket and long-polling clients alike."""
from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from tests.conftest import Account
from tests.web.socket.conftest import Tab
from tests.scaleout.cluster import Server, sequence

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


async def post(url: str, path: str, account: Account | None, body: dict[str, Any]
               ) -> tuple[int, dict[str, Any]]:
    headers = account.headers if account else {}
    async with aiohttp.ClientSession() as http:
        async with http.post(url + path, json=body, headers=headers) as resp:
            return resp.status, await resp.json()


async def add_task(server: Server | str, account: Account, title: str) -> None:
    url = server if isinstance(server, str) else server.url
    status, body = await post(url, f"/api/{account.user_id}/tasks", account, {"title": title})
    assert status == 201, body


def payloads(tab: Tab) -> list[tuple[str, Any]]:
    return [(name, data) for name, data in tab.events if isinstance(data, dict) and "id" in data]


async def test_a_chat_on_one_process_reaches_tabs_on_both_in_the_same_order(cluster, tab):
    a, b = await cluster.start(2)
    acct = await cluster.signup(a)
    on_a = await tab(a.url, acct, ["websocket"])
    on_b = await tab(b.url, acct, ["polling"])
    status, reply = await post(a.url, f"/api/{acct.user_id}/chat", acct,
                               {"message": "add buy milk tomorrow"})
    assert status == 200 and reply["status"] == "done", reply
    for t in (on_a, on_b):
        await t.wait_for(lambda t=t: "agent_done" in t.names())
    assert payloads(on_a) == payloads(on_b)
    names = [name for name, _ in sequence(on_a.events)]
    assert names[0] == "message_created" and names[-1] == "agent_done"
    assert {"agent_thinking", "tool_starting", "tool_complete", "task_created"} <= set(names)
    ids = [event_id for _, event_id in sequence(on_a.events)]
    assert ids == sorted(ids, key=lambda i: tuple(map(int, i.split("-"))))
    seqs = [d["seq"] for _, d in payloads(on_a) if "seq" in d]
    assert seqs == list(range(1, len(seqs) + 1))


async def test_a_tab_moving_to_the_other_process_gets_exactly_what_it_missed(cluster, tab):
    a, b = await cluster.start(2)
    acct = await cluster.signup(a)
    witness = await tab(b.url, acct)
    moving = await tab(a.url, acct)
    await add_task(a, acct, "seen 1")
    await add_task(b, acct, "seen 2")
    await moving.wait_stream(2)
    last_seen = moving.stream_ids()[-1]
    await moving.close()
    for n, server in enumerate((a, b, a, b)):
        await add_task(server, acct, f"missed {n}")
    await witness.wait_stream(6)
    again = await tab(b.url, acct, ["polling"], last_event_id=last_seen)
    await again.wait_stream(4)
    await add_task(a, acct, "live")
    await witness.wait_stream(7)
    await again.wait_stream(5)
    assert again.stream_ids() == witness.stream_ids()[2:]
    assert [d["task"]["title"] for _, d in again.stream()] == [
        "missed 0", "missed 1", "missed 2", "missed 3", "live"]


async def test_login_throttle_and_chat_limits_count_every_process(cluster):
    a, b = await cluster.start(2, TASKPULSE_LOGIN_MAX_FAILURES="3",
                               TASKPULSE_CHAT_PER_MINUTE="2")
    acct = await cluster.signup(a)
    wrong = {"email": acct.email, "password": "wrong password"}
    for server in (a, b, a):
        status, _ = await post(server.url, "/api/auth/login", None, wrong)
        assert status == 401
    status, body = await post(b.url, "/api/auth/login", None,
                              {"email": acct.email, "password": acct.password})
    assert status == 429 and body["error"]["code"] == "too_many_attempts"
    for server in (a, b):
        status, body = await post(server.url, f"/api/{acct.user_id}/chat", acct,
                                  {"message": "hello"})
        assert status == 200, body
    status, body = await post(a.url, f"/api/{acct.user_id}/chat", acct, {"message": "hello"})
    assert status == 429 and body["error"]["code"] == "rate_limited"


async def test_through_nginx_polling_and_websocket_clients_receive_every_event(cluster, tab):
    a, b = await cluster.start(2)
    url = await cluster.start_nginx([a, b])
    acct = await cluster.signup(a)
    ws = await tab(url, acct, ["websocket"])
    polling = await tab(url, acct, ["polling"])
    assert ws.welcome()["transport"] == "websocket"
    assert polling.welcome()["transport"] == "polling"
    titles = [f"task {n}" for n in range(6)]
    for n, title in enumerate(titles):     # published on both processes
        await add_task((a, b)[n % 2], acct, title)
    status, reply = await post(url, f"/api/{acct.user_id}/chat", acct,
                               {"message": "what's still open?"})
    assert status == 200, reply
    for t in (ws, polling):
        await t.wait_for(lambda t=t: "agent_done" in t.names())
        assert [d["task"]["title"] for n, d in t.stream() if n == "task_created"] == titles
    assert payloads(ws) == payloads(polling)
