"""The offline provider as a model: stateless turns, context from the conversation, chunks."""
from __future__ import annotations

import json
import time
from datetime import date

from taskpulse.agent.tool_schemas import ARGS, TOOL_SCHEMAS
from taskpulse.agent.offline.intents import parse
from taskpulse.agent.offline.model import OfflineProvider, read_context, respond
from taskpulse.agent.offline.refs import Ref, all_tasks_phrase, parse_ref

TODAY = date(2026, 11, 25)


def listed(*titles: str) -> list[dict]:
    tasks = [{"id": f"id-{t}", "title": t, "due_date": None, "priority": "medium",
              "completed": False} for t in titles]
    return [{"role": "user", "content": "what's open?"},
            {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {
                "name": "list_tasks", "arguments": json.dumps({"status": "pending"})}}]},
            {"role": "tool", "tool_call_id": "c1", "name": "list_tasks",
             "content": json.dumps({"success": True, "tasks": tasks, "status": "pending"})},
            {"role": "assistant", "content": "here they are"}]


async def test_a_long_reply_streams_in_several_chunks():
    provider = OfflineProvider(chunk_delay=0.01)
    started = time.monotonic()
    messages = [{"role": "user", "content": "help"}]
    pieces = [d.text async for d in provider.stream(messages, [{"type": "function"}])]
    assert len(pieces) > 10 and all(pieces)
    assert "".join(pieces).startswith("I keep your to-do list")
    assert time.monotonic() - started >= 0.1


def test_positions_refer_to_the_latest_list():
    history = listed("old one") + listed("a", "b", "c")
    turn = respond(history + [{"role": "user", "content": "mark the last two done"}],
                   True, TODAY)
    assert [(c.name, c.arguments["task"]) for c in turn.calls] == [
        ("complete_task", "id-b"), ("complete_task", "id-c")]
    assert read_context(history).last_list[0]["title"] == "a"


def test_after_tool_results_it_writes_the_reply_instead_of_calling_again():
    turn = respond(listed("a", "b"), True, TODAY)
    assert not turn.calls and "1. a" in turn.text and "2. b" in turn.text


def test_without_tools_it_does_not_try_to_call_one():
    turn = respond([{"role": "user", "content": "add buy milk"}], False, TODAY)
    assert not turn.calls and turn.text


def test_questions_are_not_mistaken_for_changes():
    assert parse("what is due today?").kind == "list"
    assert parse("is there anything left?").kind == "list"
    assert parse("check my list").kind == "list"


def test_references_and_all_phrases():
    assert parse_ref("the first two") == Ref(first_n=2)
    assert parse_ref("#2 and 4") == Ref(positions=[2, 4])
    assert parse_ref("the second to last one") == Ref(positions=[-2])
    assert parse_ref("both of them") == Ref(listed=True)
    assert parse_ref("that one") == Ref(it=True)
    assert parse_ref("the 'Buy Milk' task") == Ref(title="Buy Milk")
    assert all_tasks_phrase("all my completed tasks") == (True, "completed")
    assert all_tasks_phrase("the task") == (False, "all")
    assert all_tasks_phrase("task 2") == (False, "all")


def test_a_list_longer_than_the_tool_allows_asks_for_its_maximum_and_says_so():
    tool = next(t["function"] for t in TOOL_SCHEMAS if t["function"]["name"] == "list_tasks")
    maximum = tool["parameters"]["properties"]["limit"]["maximum"]
    asked = [{"role": "user", "content": "show the first 500 tasks"}]
    [call] = respond(asked, True, TODAY).calls
    assert call.name == "list_tasks"
    assert ARGS["list_tasks"].model_validate(call.arguments).limit == maximum   # no tool error
    tasks = [{"id": f"id-{i}", "title": f"task {i}", "completed": False}
             for i in range(1, maximum + 1)]
    ran = [{"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {
               "name": "list_tasks", "arguments": call.raw_arguments}}]},
           {"role": "tool", "tool_call_id": "c1", "name": "list_tasks",
            "content": json.dumps({"success": True, "tasks": tasks, "status": "all"})}]
    reply = respond(asked + ran, True, TODAY).text.splitlines()
    assert reply[0] == f"I can show at most {maximum} tasks at a time."
    assert reply[-1] == f"{maximum}. task {maximum}"
    [call] = respond([{"role": "user", "content": "show the first 5 tasks"}], True, TODAY).calls
    assert call.arguments["limit"] == 5                          # within the limit: as asked
