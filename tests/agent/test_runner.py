"""The run loop with a scripted model: order of events, rounds, history, errors, batching."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from taskpulse.db.models import Run, Task
from taskpulse.keys import AGENT
from taskpulse.llm.base import LLMError
from tests.agent.conftest import (assert_run_shape, chat, names, run_events, run_only,
                                  stream_events)
from tests.fakes.scripted import ScriptedProvider, Turn


@pytest.fixture
def llm() -> ScriptedProvider:
    return ScriptedProvider()


def sent_tool_results(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(m["content"]) for m in messages if m["role"] == "tool"]


async def test_the_user_message_is_published_first_and_is_the_last_model_input(
        client, app, signup, llm):
    acct = await signup()
    llm.add(Turn(text="Hi!"))
    body = await chat(client, acct, "  hello\nthere  ")

    messages, tools = llm.requests[0]
    assert messages[0]["role"] == "system" and tools
    assert messages[-1] == {"role": "user", "content": "hello\nthere"}
    events = await stream_events(app, acct)
    created = [d for n, d in events if n == "message_created"]
    assert [m["message"]["role"] for m in created] == ["user", "assistant"]
    assert names(events).index("message_created") < names(events).index("agent_thinking")
    assert created[1]["message"]["id"] == body["message"]["id"]
    done = [d for n, d in events if n == "agent_done"][0]
    assert (done["message_id"], done["content"]) == (body["message"]["id"], "Hi!")


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_each_run_reads_the_conversation_from_the_database(client, signup, llm):
    acct = await signup()
    llm.add(Turn(calls=[("add_task", {"title": "buy milk"})]), Turn(text="Added."),
            Turn(text="You asked me to add buy milk."))
    first = await chat(client, acct, "add buy milk")
    await chat(client, acct, "what did I ask?", first["conversation_id"])

    history = llm.requests[2][0][1:]
    assert [m["role"] for m in history] == ["user", "assistant", "tool", "assistant", "user"]
    assert history[0]["content"] == "add buy milk"
    assert history[1]["tool_calls"][0]["function"]["name"] == "add_task"
    assert sent_tool_results(history)[0]["task"]["title"] == "buy milk"
    assert history[-1]["content"] == "what did I ask?"


@pytest.mark.parametrize("overrides", [{"agent_history_chars": 400}])
async def test_history_is_trimmed_to_the_budget_keeping_the_newest(client, signup, llm):
    acct = await signup()
    cid = None
    for i in range(6):
        llm.add(Turn(text=f"reply {i} " + "x" * 80))
        body = await chat(client, acct, f"message {i} " + "y" * 80, cid)
        cid = body["conversation_id"]
    history = llm.requests[-1][0][1:]
    assert history[-1]["content"].startswith("message 5")
    assert sum(len(m.get("content") or "") for m in history) <= 400
    assert not any(m["content"].startswith("message 0") for m in history)
    assert 2 <= len([m for m in history if m["role"] == "user"]) < 6


@pytest.mark.parametrize("overrides", [{"agent_max_tool_rounds": 2}])
async def test_a_tool_chain_stops_at_the_round_limit(client, app, signup, llm):
    acct = await signup()
    llm.default = Turn(calls=[("list_tasks", {})])      # a model that never stops
    body = await chat(client, acct, "loop forever")

    assert len(llm.requests) == 3                 # two rounds of tools, then the answer
    assert [c["tool"] for c in body["tool_calls"]] == ["list_tasks", "list_tasks"]
    assert body["status"] == "done" and body["response"]       # falls back to tool messages
    assert_run_shape(await run_events(app, acct, body["run_id"]))


@pytest.mark.parametrize("overrides", [{"agent_max_tool_calls_per_turn": 3}])
async def test_one_turn_runs_at_most_the_capped_number_of_tool_calls(
        client, app, signup, llm, caplog):
    acct = await signup()
    llm.add(Turn(calls=[("add_task", {"title": f"task {n}"}) for n in range(40)]),
            Turn(text="Added some."))
    body = await chat(client, acct, "add forty tasks")

    assert [c["tool"] for c in body["tool_calls"]] == ["add_task"] * 3
    assert await Task.filter(owner_id=acct.user_id).count() == 3
    assistant = [m for m in llm.requests[1][0] if m.get("tool_calls")]
    assert len(assistant) == 1 and len(assistant[0]["tool_calls"]) == 3
    assert len(sent_tool_results(llm.requests[1][0])) == 3
    events = await run_events(app, acct, body["run_id"])
    assert_run_shape(events)
    assert names(run_only(events)).count("tool_starting") == 3
    assert any("40 tool calls in one turn" in r.getMessage() for r in caplog.records)


async def test_a_failing_tool_ends_in_tool_error_and_the_agent_explains(
        client, app, signup, llm):
    acct = await signup()
    llm.add(Turn(calls=[("complete_task", {"task": "file taxes"})]),
            Turn(text="I couldn't find a task called file taxes."))
    body = await chat(client, acct, "mark file taxes done")

    assert body["tool_calls"] == [{"tool": "complete_task", "ok": False,
                                   "message": 'I couldn\'t find a task called "file taxes".'}]
    assert sent_tool_results(llm.requests[1][0]) == [{
        "success": False, "error": "not_found",
        "message": 'I couldn\'t find a task called "file taxes".'}]
    events = await run_events(app, acct, body["run_id"])
    assert_run_shape(events)
    assert names(run_only(events))[1:3] == ["tool_starting", "tool_error"]
    assert names(run_only(events))[-1] == "agent_done"


async def test_bad_tool_arguments_and_unknown_tools_are_tool_errors(client, app, signup, llm):
    acct = await signup()
    llm.add(Turn(calls=[("add_task", {}), ("launch_rockets", {"count": 3})],
                 raw_arguments='{"title": "unterminated'),
            Turn(calls=[("add_task", {"title": ""})]), Turn(text="Sorry."))
    body = await chat(client, acct, "do odd things")

    errors = [d for n, d in await run_events(app, acct, body["run_id"]) if n == "tool_error"]
    assert [e["error"] for e in errors] == ["invalid_input", "unknown_tool", "invalid_input"]
    assert body["response"] == "Sorry."


async def test_reply_tokens_are_batched_not_sent_one_by_one(client, app, signup, llm):
    acct = await signup()
    text = "".join(f"word{i} " for i in range(60)).strip()
    llm.add(Turn(text=text, chunk_chars=1))
    body = await chat(client, acct, "talk")

    tokens = [d["text"] for n, d in await run_events(app, acct, body["run_id"])
              if n == "agent_token"]
    assert "".join(tokens) == text == body["response"]
    assert len(tokens) <= len(text) // 120 + 2


@pytest.mark.parametrize("overrides", [{"agent_token_batch_ms": 80}])
async def test_slow_tokens_are_batched_by_time(client, app, signup, llm):
    acct = await signup()
    llm.add(Turn(text="a" * 40, chunk_chars=1, delay=0.01))
    body = await chat(client, acct, "talk slowly")
    tokens = [d["text"] for n, d in await run_events(app, acct, body["run_id"])
              if n == "agent_token"]
    assert "".join(tokens) == "a" * 40
    assert 2 <= len(tokens) <= 12


@pytest.mark.parametrize("overrides", [{"agent_token_batch_ms": 5000}])
async def test_the_end_of_the_reply_flushes_the_batch_without_waiting_for_its_window(
        client, app, signup, llm):
    acct = await signup()
    llm.add(Turn(text="short reply", chunk_chars=2))
    loop = asyncio.get_running_loop()
    started = loop.time()
    body = await chat(client, acct, "hi")
    assert loop.time() - started < 2.0      # far less than one 5 s batch window
    events = run_only(await run_events(app, acct, body["run_id"]))
    assert names(events)[-2:] == ["agent_token", "agent_done"]
    assert events[-2][1]["text"] == "short reply"


async def test_a_first_message_is_answered_from_what_it_says_and_later_ones_from_the_db(
        client, signup, llm):
    acct = await signup()
    llm.add(Turn(text="One."), Turn(text="Two."))
    first = await chat(client, acct, "first")
    await chat(client, acct, "second", first["conversation_id"])
    assert llm.requests[0][0][1:] == [{"role": "user", "content": "first"}]
    assert [m["content"] for m in llm.requests[1][0][1:]] == ["first", "One.", "second"]


async def test_a_model_failure_is_a_friendly_agent_error(client, app, signup, llm):
    acct = await signup()
    llm.add(Turn(error=LLMError("HTTP 400 from upstream: bad things", retryable=False)))
    body = await chat(client, acct, "hi", status=500)
    assert body["error"]["code"] == "llm_error"
    assert "upstream" not in body["error"]["message"]
    run = await Run.get(id=body["error"]["run_id"])
    assert (run.status, run.error) == ("error", "llm_error")
    events = await run_events(app, acct, body["error"]["run_id"])
    assert names(run_only(events)) == ["agent_thinking", "agent_error"]


@pytest.mark.parametrize("overrides", [{"agent_run_timeout_seconds": 1}])
async def test_a_run_that_takes_too_long_ends_with_a_timeout(client, app, signup, llm):
    acct = await signup()
    llm.add(Turn(text="z" * 100, chunk_chars=1, delay=0.05))
    body = await chat(client, acct, "ramble", status=504)
    assert body["error"]["code"] == "timeout"
    events = await run_events(app, acct, body["error"]["run_id"])
    assert_run_shape(events)
    assert names(run_only(events))[-1] == "agent_error"


async def test_runs_are_recorded_with_their_steps(client, signup, llm):
    acct, other = await signup(), await signup()
    llm.add(Turn(calls=[("add_task", {"title": "a", "user_id": other.user_id}),
                        ("delete_task", {"task": "nope"})]), Turn(text="ok"))
    body = await chat(client, acct, "go")
    resp = await client.get(f"/api/{acct.user_id}/runs/{body['run_id']}", headers=acct.headers)
    run = (await resp.json())["run"]
    assert run["status"] == "done" and run["finished_at"]
    assert [(s["tool"], s["ok"], s["error"]) for s in run["steps"]] == [
        ("add_task", True, None), ("delete_task", False, "not_found")]
    assert run["steps"][0]["arguments"]["title"] == "a"
    assert all(s["duration_ms"] >= 0 and s["call_id"] for s in run["steps"])
    resp = await client.get(f"/api/{other.user_id}/runs/{body['run_id']}",
                            headers=other.headers)
    assert resp.status == 404
    tasks = (await (await client.get(f"/api/{other.user_id}/tasks",
                                     headers=other.headers)).json())["tasks"]
    assert tasks == []      # the model's user_id argument was ignored


async def test_agent_start_refuses_unknown_conversations(app, signup):
    acct = await signup()
    from taskpulse.agent.api import ChatError
    with pytest.raises(ChatError) as info:
        await app[AGENT].start(acct.user_id, "hi", "not-a-uuid")
    assert info.value.status == 400


async def test_a_run_ended_elsewhere_sends_no_second_terminal_event(client, app, signup, llm):
    """Another process that took this one for dead marked the run interrupted (and told the
    tabs); when the run finishes here after all, it must not send agent_done as well."""
    acct = await signup()
    llm.add(Turn(text="still working on it", chunk_chars=3, delay=0.05))
    started = await app[AGENT].start(acct.user_id, "hi")
    await Run.filter(id=started.run_id).update(status="interrupted", error="interrupted")
    result = await app[AGENT].wait(started.run_id)
    assert result.status == "interrupted"
    run = await Run.get(id=started.run_id)
    assert run.status == "interrupted"
    events = names(run_only(await run_events(app, acct, started.run_id)))
    assert "agent_done" not in events and "agent_error" not in events
