"""The seven tools against the real task service and database."""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from taskpulse.agent.steps import tool_step
from taskpulse.agent.tools import ToolContext, run_tool
from taskpulse.db.models import Task
from taskpulse.keys import TASKS
from tests.agent.conftest import chat, names, run_events, stream_events
from tests.agent.test_steps import Recorder
from tests.fakes.scripted import ScriptedProvider, Turn

TODAY = date(2026, 11, 25)       # a Wednesday


@pytest.fixture
def llm() -> ScriptedProvider:
    return ScriptedProvider()


@pytest.fixture
async def call(client, app, signup):
    acct = await signup()

    async def run(tool: str, **arguments: Any) -> tuple[dict[str, Any], Recorder]:
        rec = Recorder()
        ctx = ToolContext(acct.user_id, str(uuid.uuid4()), str(uuid.uuid4()), app[TASKS],
                          TODAY)
        async with tool_step(rec, tool, "call_1", arguments) as step:
            step.finish(await run_tool(ctx, tool, arguments, step))
        return step.result, rec

    run.account = acct  # type: ignore[attr-defined]
    return run


async def titles(call) -> list[str]:
    return [t.title for t in await Task.filter(owner_id=call.account.user_id).order_by("title")]


@pytest.mark.parametrize("said, expected", [
    ("2026-12-01", date(2026, 12, 1)), ("today", TODAY), ("tomorrow", TODAY + timedelta(1)),
    ("next friday", date(2026, 11, 27)), ("in 3 days", date(2026, 11, 28)),
    ("next week", date(2026, 12, 2)), ("Dec 24", date(2026, 12, 24)),
])
async def test_add_task_understands_due_dates(call, said, expected):
    result, rec = await call("add_task", title="buy milk", due_date=said)
    assert result["success"] and result["task"]["due_date"] == expected.isoformat()
    assert rec.names() == ["tool_starting", "tool_complete"]
    assert rec.events[1][1]["message"] == "Created: buy milk"


async def test_an_unreadable_due_date_is_an_error_not_a_silent_none(call):
    result, rec = await call("add_task", title="buy milk", due_date="when pigs fly")
    assert result["error"] == "invalid_input" and "tomorrow" in result["message"]
    assert rec.names()[-1] == "tool_error"
    assert await titles(call) == []


async def test_priorities_accept_common_words(call):
    result, _ = await call("add_task", title="fix sink", priority="urgent")
    assert result["task"]["priority"] == "high"
    result, _ = await call("add_task", title="x", priority="whenever")
    assert result["error"] == "invalid_input"


async def test_tasks_are_named_by_id_or_unambiguous_title(call):
    await call("add_task", title="Buy milk")
    await call("add_task", title="Buy oat milk")
    await call("add_task", title="Call mom")
    result, _ = await call("complete_task", task="buy MILK")          # exact wins
    assert result["task"]["title"] == "Buy milk" and result["new_status"] == "completed"
    result, _ = await call("complete_task", task="mom")               # unique part
    assert result["task"]["title"] == "Call mom"
    result, rec = await call("delete_task", task="milk")              # two match
    assert result["error"] == "ambiguous"
    assert {m["title"] for m in result["matches"]} == {"Buy milk", "Buy oat milk"}
    assert "Which one" in result["message"] and rec.names()[-1] == "tool_error"
    by_id = result["matches"][0]["id"]
    result, _ = await call("delete_task", task=by_id)
    assert result["success"] and len(await titles(call)) == 2


async def test_another_users_task_id_is_not_found(call, client, signup):
    other = await signup()
    resp = await client.post(f"/api/{other.user_id}/tasks", json={"title": "theirs"},
                             headers=other.headers)
    their_id = (await resp.json())["task"]["id"]
    for tool, extra in (("complete_task", {}), ("delete_task", {}),
                        ("update_task", {"title": "mine now"})):
        result, _ = await call(tool, task=their_id, user_id=other.user_id, **extra)
        assert result["error"] == "not_found"
    assert (await Task.get(id=their_id)).title == "theirs"


async def test_update_task_changes_and_describes_each_field(call):
    await call("add_task", title="buy milk", due_date="tomorrow")
    result, rec = await call("update_task", task="buy milk", title="buy oat milk",
                             due_date="next friday", priority="high")
    assert result["task"] == {"id": result["task"]["id"], "title": "buy oat milk",
                              "due_date": "2026-11-27", "priority": "high",
                              "completed": False}
    assert result["changes"] == ["due_date", "priority", "title"]
    assert 'from "buy milk" to "buy oat milk"' in result["message"]
    assert rec.events[-1][1]["message"] == "Task updated"
    result, _ = await call("update_task", task="oat milk", due_date="none")
    assert result["task"]["due_date"] is None
    result, _ = await call("update_task", task="oat milk")
    assert result["error"] == "invalid_input"


async def test_complete_and_reopen_report_the_status_change(call):
    await call("add_task", title="read book")
    result, rec = await call("complete_task", task="read book")
    assert (result["old_status"], result["new_status"]) == ("pending", "completed")
    assert rec.events[-1][1]["message"] == "Task status updated"
    result, _ = await call("complete_task", task="read book")
    assert "already done" in result["message"]
    result, _ = await call("complete_task", task="read book", completed=False)
    assert result["new_status"] == "pending"


async def test_list_tasks_filters_and_reports_the_count_found(call):
    await call("add_task", title="soon", due_date="tomorrow")
    await call("add_task", title="later", due_date="2027-06-01")
    await call("add_task", title="undated")
    await call("complete_task", task="later")
    result, rec = await call("list_tasks", status="pending")
    assert [t["title"] for t in result["tasks"]] == ["soon", "undated"]
    assert rec.names() == ["tool_starting", "tool_progress", "tool_complete"]
    assert rec.events[1][1]["count"] == 2 and rec.events[2][1]["message"] == "Found 2 tasks"
    result, _ = await call("list_tasks", status="done")
    assert [t["title"] for t in result["tasks"]] == ["later"]
    result, _ = await call("list_tasks", limit=1)
    assert result["total"] == 1
    result, _ = await call("list_tasks", status="sideways")
    assert result["error"] == "invalid_input"


async def test_bulk_completion_reports_real_progress(call, app):
    for i in range(10):
        await call("add_task", title=f"task {i}")
    await call("complete_task", task="task 3")
    result, rec = await call("complete_all_tasks", completed=True)
    assert (result["updated_count"], result["skipped_count"]) == (9, 1)
    progress = [f for n, f in rec.events if n == "tool_progress"]
    assert [p["message"] for p in progress] == [f"{i} of 9 done" for i in range(1, 10)]
    assert progress[-1]["count"] == progress[-1]["total"] == 9
    assert rec.events[-1][1]["message"] == "Marked 9 tasks as complete"
    assert await Task.filter(owner_id=call.account.user_id, completed=False).count() == 0
    updates = [n for n, _ in await stream_events(app, call.account) if n == "task_updated"]
    assert len(updates) == 10


async def test_delete_all_without_confirmation_only_counts(call):
    await call("add_task", title="a")
    await call("add_task", title="b")
    result, rec = await call("delete_all_tasks")
    assert result["requires_confirmation"] and result["task_count"] == 2
    assert rec.events[0][1]["message"] == "Counting the tasks to delete..."
    result, _ = await call("delete_all_tasks", confirmed=True)   # not asked before: refused
    assert result["requires_confirmation"]
    assert await titles(call) == ["a", "b"]


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_delete_all_needs_a_confirmation_in_a_later_message(client, app, signup, llm):
    acct = await signup()
    for title in ("a", "b", "c"):
        await client.post(f"/api/{acct.user_id}/tasks", json={"title": title},
                          headers=acct.headers)
    llm.add(Turn(calls=[("delete_all_tasks", {"confirmed": False}),
                        ("delete_all_tasks", {"confirmed": True})]),   # same run: refused
            Turn(text="Are you sure?"),
            Turn(calls=[("delete_all_tasks", {"confirmed": True})]), Turn(text="Gone."))
    first = await chat(client, acct, "delete everything")
    assert await Task.filter(owner_id=acct.user_id).count() == 3
    second = await chat(client, acct, "yes", first["conversation_id"])
    assert second["tool_calls"][0]["message"] == "Deleted 3 tasks."
    assert await Task.filter(owner_id=acct.user_id).count() == 0
    events = await run_events(app, acct, second["run_id"])
    assert [d["message"] for n, d in events if n == "tool_progress"] == [
        "1 of 3 done", "2 of 3 done", "3 of 3 done"]
    assert names(events).count("task_deleted") == 0     # task events are not run events


def test_each_tool_is_declared_validated_worded_and_implemented_under_one_name():
    from taskpulse.agent.tool_schemas import ARGS, TOOL_NAMES
    from taskpulse.agent.tools import TOOLS
    from taskpulse.agent.wording import STARTING
    assert len(TOOL_NAMES) == 7
    assert set(TOOL_NAMES) == set(ARGS) == set(TOOLS) == set(STARTING)
    for schema_name in TOOL_NAMES:
        assert schema_name == schema_name.lower() and " " not in schema_name


@pytest.mark.parametrize("tool, arguments", [
    ("add_task", {"title": "buy\x00milk"}),
    ("add_task", {"title": "ok", "description": "bell\x07"}),
    ("update_task", {"task": "Buy milk", "title": "Buy\x00oat milk"}),
    ("update_task", {"task": "Buy milk", "description": "\x1b[2J"}),
])
async def test_control_characters_in_tool_arguments_are_a_tool_error(call, tool, arguments):
    await call("add_task", title="Buy milk")
    result, rec = await call(tool, **arguments)
    assert result["success"] is False and result["error"] == "invalid_input"
    assert "must not contain" in result["message"] and "Value error" not in result["message"]
    assert rec.names() == ["tool_starting", "tool_error"]
    assert rec.events[-1][1]["error"] == "invalid_input"
    tasks = await Task.filter(owner_id=call.account.user_id)
    assert [(t.title, t.description) for t in tasks] == [("Buy milk", "")]


async def test_a_due_phrase_with_a_time_sets_the_time_and_a_time_alone_keeps_the_day(call):
    result, _ = await call("add_task", title="call the vet", due_date="thursday at 9am")
    assert (result["task"]["due_date"], result["task"]["due_time"]) == ("2026-11-26", "09:00")
    assert "due tomorrow at 09:00" in result["message"]
    result, _ = await call("update_task", task="call the vet", due_time="5pm")
    assert (result["task"]["due_date"], result["task"]["due_time"]) == ("2026-11-26", "17:00")
    result, _ = await call("add_task", title="gym", due_time="18:30")      # no day: today
    assert (result["task"]["due_date"], result["task"]["due_time"]) == ("2026-11-25", "18:30")
    result, _ = await call("update_task", task="gym", due_date="none")
    assert "due_time" not in result["task"] and result["task"]["due_date"] is None
    result, _ = await call("update_task", task="call the vet", due_time="half five")
    assert result["error"] == "invalid_input"
