"""End to end through real python-socketio clients: every tab sees the same run."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
import socketio

from taskpulse.db.models import Message, Run
from taskpulse.protocol.events import NAMESPACE, RUN_TERMINAL
from tests.fakes.scripted import ScriptedProvider, Turn

SLOW = Turn(text="Let me think about that for a little while, step by step.",
            chunk_chars=4, delay=0.08)


class Tab:
    """A browser tab: a Socket.IO client that records every /chat event it receives."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: list[tuple[str, Any]] = []
        self.changed = asyncio.Event()
        self.client.on("*", self._record, namespace=NAMESPACE)

    async def _record(self, name: str, data: Any = None) -> None:
        self.events.append((name, data))
        self.changed.set()

    async def connect(self, token: str, last_event_id: str | None = None) -> None:
        auth = {"token": token, **({"last_event_id": last_event_id} if last_event_id else {})}
        await self.client.connect(self.base_url, auth=auth, transports=["websocket"],
                                  namespaces=[NAMESPACE], wait_timeout=10)
        await self.wait_for(lambda: any(n == "connection_established" for n, _ in self.events))

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10) -> None:
        async def loop() -> None:
            while not predicate():
                self.changed.clear()
                await self.changed.wait()
        await asyncio.wait_for(loop(), timeout)

    def run(self, run_id: str) -> list[tuple[str, Any]]:
        return [(n, d) for n, d in self.events if isinstance(d, dict) and d.get("run_id") == run_id]

    async def wait_end(self, run_id: str) -> list[tuple[str, Any]]:
        await self.wait_for(lambda: any(n in RUN_TERMINAL for n, _ in self.run(run_id)))
        await asyncio.sleep(0.05)
        return self.run(run_id)

    async def send(self, message: str, **extra: Any) -> dict[str, Any]:
        return await self.client.call("chat_send", {"message": message, **extra},
                                      namespace=NAMESPACE, timeout=5)

    async def close(self) -> None:
        await self.client.disconnect()


@pytest.fixture
def llm() -> ScriptedProvider:
    return ScriptedProvider()


def names(events: list[tuple[str, Any]]) -> list[str]:
    return [n for n, _ in events]


async def test_two_tabs_receive_the_same_run_in_the_same_order(client, signup, tabs, llm):
    acct = await signup()
    llm.add(Turn(calls=[("add_task", {"title": "buy milk", "due_date": "tomorrow"})]),
            Turn(text="Added buy milk for tomorrow. Anything else?", chunk_chars=3))
    one, two = tabs(), tabs()
    await one.connect(acct.token)
    await two.connect(acct.token)

    ack = await one.send("add buy milk tomorrow", client_msg_id="m-1")
    assert set(ack) == {"run_id", "conversation_id", "client_msg_id"}
    seen_one, seen_two = await one.wait_end(ack["run_id"]), await two.wait_end(ack["run_id"])

    assert seen_one == seen_two
    assert names(seen_one) == ["message_created", "agent_thinking", "tool_starting",
                               "tool_complete", *["agent_token"] * (len(seen_one) - 6),
                               "message_created", "agent_done"]
    assert [d["seq"] for _, d in seen_one if "seq" in d] == list(
        range(1, len(seen_one) - 1))
    assert names(one.events) == names(two.events)       # task_created included, same order
    assert "task_created" in names(two.events)
    assert seen_two[-1][1]["content"] == "Added buy milk for tomorrow. Anything else?"


async def test_a_tab_that_connects_mid_run_catches_up(client, signup, tabs, llm):
    acct = await signup()
    await client.post(f"/api/{acct.user_id}/tasks", json={"title": "earlier"},
                      headers=acct.headers)
    llm.add(SLOW)
    first = tabs()
    await first.connect(acct.token)
    mark = first.events[0][1]["last_event_id"]          # where this user's stream stood
    ack = await first.send("tell me something")
    await first.wait_for(lambda: names(first.run(ack["run_id"])).count("agent_token") >= 2)

    late = tabs()
    await late.connect(acct.token, last_event_id=mark)
    seen_first, seen_late = await first.wait_end(ack["run_id"]), await late.wait_end(
        ack["run_id"])
    assert seen_late == seen_first                       # no gap, no duplicate
    ids = [d["id"] for _, d in seen_late]
    assert len(ids) == len(set(ids))


async def test_any_tab_can_cancel_and_the_run_stops_promptly(client, signup, tabs, llm):
    acct = await signup()
    llm.add(Turn(text="word " * 200, chunk_chars=5, delay=0.05))
    starter, other = tabs(), tabs()
    await starter.connect(acct.token)
    await other.connect(acct.token)
    ack = await starter.send("write an essay")
    await other.wait_for(lambda: "agent_token" in names(other.run(ack["run_id"])))

    asked = time.monotonic()
    reply = await other.client.call("run_cancel", {"run_id": ack["run_id"]},
                                    namespace=NAMESPACE, timeout=5)
    assert reply == {"ok": True, "run_id": ack["run_id"]}
    seen = await starter.wait_end(ack["run_id"])
    assert time.monotonic() - asked < 1.0
    assert names(seen)[-1] == "agent_cancelled"
    assert seen == await other.wait_end(ack["run_id"])
    cancelled = seen[-1][1]
    streamed = "".join(d["text"] for n, d in seen if n == "agent_token")
    assert cancelled["content"] == streamed.strip() and cancelled["content"].startswith("word")
    saved = await Message.get(id=cancelled["message_id"])
    assert saved.content == cancelled["content"] and saved.role == "assistant"
    assert (await Run.get(id=ack["run_id"])).status == "cancelled"
    again = await other.client.call("run_cancel", {"run_id": ack["run_id"]},
                                    namespace=NAMESPACE, timeout=5)
    assert again["ok"] is False


async def test_a_run_keeps_going_when_the_tab_that_started_it_closes(client, signup, tabs,
                                                                     llm):
    acct = await signup()
    llm.add(SLOW)
    starter, watcher = tabs(), tabs()
    await starter.connect(acct.token)
    await watcher.connect(acct.token)
    ack = await starter.send("take your time")
    await starter.close()
    seen = await watcher.wait_end(ack["run_id"])
    assert names(seen)[-1] == "agent_done"
    assert await Message.filter(run_id=ack["run_id"], role="assistant").count() == 1


async def test_a_second_send_in_a_busy_conversation_gets_an_ack_error(client, signup, tabs,
                                                                      llm):
    acct = await signup()
    llm.add(SLOW)
    tab = tabs()
    await tab.connect(acct.token)
    ack = await tab.send("first")
    refused = await tab.send("second", conversation_id=ack["conversation_id"])
    assert refused["error"]["code"] == "run_in_progress"
    other_user = await signup()
    stranger = tabs()
    await stranger.connect(other_user.token)
    refused = await stranger.send("hi", conversation_id=ack["conversation_id"])
    assert refused["error"]["code"] == "conversation_not_found"
    cancel = await stranger.client.call("run_cancel", {"run_id": ack["run_id"]},
                                        namespace=NAMESPACE, timeout=5)
    assert cancel["ok"] is False                        # not your run
    assert names(await tab.wait_end(ack["run_id"]))[-1] == "agent_done"


async def test_an_http_chat_cancelled_from_a_tab_answers_with_what_it_had(
        client, signup, tabs, llm):
    acct = await signup()
    llm.add(Turn(text="word " * 200, chunk_chars=5, delay=0.05))
    tab = tabs()
    await tab.connect(acct.token)
    posting = asyncio.create_task(client.post(f"/api/{acct.user_id}/chat",
                                              json={"message": "write an essay"},
                                              headers=acct.headers))
    await tab.wait_for(lambda: "agent_token" in names(tab.events))
    run_id = next(d["run_id"] for n, d in tab.events if n == "agent_token")
    assert (await tab.client.call("run_cancel", {"run_id": run_id}, namespace=NAMESPACE,
                                  timeout=5))["ok"] is True
    resp = await posting
    body = await resp.json()
    assert resp.status == 200 and body["status"] == "cancelled"
    assert body["response"] == body["message"]["content"] and body["response"]
