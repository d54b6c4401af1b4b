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
    assert parse_ref("the 'Buy Milk' task") == Ref(titles=["Buy Milk"])
    assert parse_ref("the laundry one") == Ref(titles=["laundry"])
    assert parse_ref("laundry and the dishes") == Ref(titles=["laundry", "dishes"])
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


def tool_round(name: str, arguments: dict, result: dict, call_id: str = "c9") -> list[dict]:
    return [{"role": "assistant", "tool_calls": [{"id": call_id, "type": "function",
             "function": {"name": name, "arguments": json.dumps(arguments)}}]},
            {"role": "tool", "tool_call_id": call_id, "name": name,
             "content": json.dumps(result)}]


BOARD = [{"id": "id-a", "title": "do the laundry", "due_date": "2026-11-25",
          "priority": "medium", "completed": False},
         {"id": "id-b", "title": "wash the dishes", "due_date": None, "priority": "high",
          "completed": False}]


def test_a_position_with_no_list_shown_lists_the_board_first_then_acts_on_it():
    asked = [{"role": "user", "content": "mark the first two done"}]
    [first] = respond(asked, True, TODAY).calls
    assert (first.name, first.arguments) == ("list_tasks", {"status": "all", "limit": 100})
    board = tool_round("list_tasks", first.arguments, {"success": True, "tasks": BOARD})
    calls = respond(asked + board, True, TODAY).calls
    assert [(c.name, c.arguments["task"]) for c in calls] == [
        ("complete_task", "id-a"), ("complete_task", "id-b")]


def test_a_name_not_found_is_looked_up_on_the_board_and_tried_again_by_id():
    asked = [{"role": "user", "content": "mark the landry done"}]
    [first] = respond(asked, True, TODAY).calls
    assert first.arguments["task"] == "landry"
    failed = tool_round("complete_task", first.arguments,
                        {"success": False, "error": "not_found", "message": "no"}, "c1")
    [look] = respond(asked + failed, True, TODAY).calls
    assert look.name == "list_tasks"
    board = tool_round("list_tasks", look.arguments, {"success": True, "tasks": BOARD}, "c2")
    [again] = respond(asked + failed + board, True, TODAY).calls
    assert (again.name, again.arguments["task"]) == ("complete_task", "id-a")
    done = tool_round("complete_task", again.arguments,
                      {"success": True, "message": 'Marked "do the laundry" as done.'}, "c3")
    reply = respond(asked + failed + board + done, True, TODAY)
    assert not reply.calls and reply.text == 'Marked "do the laundry" as done.'


def test_a_name_with_no_close_title_says_so_and_offers_nothing_made_up():
    asked = [{"role": "user", "content": "delete the gym task"}]
    failed = tool_round("delete_task", {"task": "gym"},
                        {"success": False, "error": "not_found",
                         "message": 'I couldn\'t find a task called "gym".'}, "c1")
    board = tool_round("list_tasks", {"status": "all"}, {"success": True, "tasks": BOARD}, "c2")
    reply = respond(asked + failed + board, True, TODAY)
    assert not reply.calls and "couldn't find" in reply.text and "laundry" not in reply.text


def test_several_requests_in_one_message_are_several_calls_in_one_turn():
    turn = respond([{"role": "user", "content": "add apples, pears and plums tomorrow and "
                     "mark the laundry done"}], True, TODAY)
    # changes to existing tasks go first: a new task cannot make their names ambiguous
    assert [(c.name, c.arguments.get("title") or c.arguments.get("task")) for c in turn.calls] == [
        ("complete_task", "laundry"), ("add_task", "apples"), ("add_task", "pears"),
        ("add_task", "plums")]
    assert all(c.arguments["due_date"] == "tomorrow" for c in turn.calls[1:])


def test_a_time_alone_changes_the_time_and_a_date_with_a_time_sets_both():
    [move] = respond([{"role": "user", "content": "move call mom to 5pm"}], True, TODAY).calls
    assert move.arguments == {"task": "call mom", "due_time": "5pm"}
    [add] = respond([{"role": "user", "content": "call the vet on thursday at 9am"}], True,
                    TODAY).calls
    assert add.arguments == {"title": "call the vet", "due_date": "thursday at 9am"}


def test_what_it_cannot_read_gets_an_example_near_what_was_typed():
    reply = respond([{"role": "user", "content": "snooze the laundry"}], True, TODAY).text
    assert '"move laundry to friday at 9am"' in reply and "not sure" not in reply
