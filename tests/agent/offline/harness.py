"""Runs a phrasing of the corpus the way a run does: the offline model's turns, the real
tools against the real task service, and what changed on the board afterwards."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from taskpulse.agent.offline.model import respond
from taskpulse.agent.steps import tool_step
from taskpulse.agent.tools import ToolContext, result_json, run_tool
from taskpulse.db.models import Task
from taskpulse.tasks.service import TaskService
from tests.agent.offline.corpus_base import BOARD, Case
from tests.agent.test_steps import Recorder

MAX_ROUNDS = 6
DEFAULTS = {"status": "all", "confirmed": False, "completed": True}   # the tools' defaults


@dataclass
class Outcome:
    reply: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    changes: dict[str, Any] = field(default_factory=dict)
    before: dict[str, dict[str, Any]] = field(default_factory=dict)    # by title


async def seed(user_id: str, today: date) -> None:
    await Task.filter(owner_id=user_id).delete()
    for title, offset, time, priority, done in BOARD:
        due = today + timedelta(days=offset) if offset is not None else None
        await Task.create(owner_id=user_id, title=title, due_date=due, due_time=time,
                          priority=priority, completed=done)


async def say(ctx: ToolContext, messages: list[dict[str, Any]], text: str,
              outcome: Outcome) -> None:
    """One user message and the model's rounds, tools run for real."""
    messages.append({"role": "user", "content": text})
    for _ in range(MAX_ROUNDS):
        turn = respond(messages, True, ctx.today)
        if not turn.calls:
            messages.append({"role": "assistant", "content": turn.text})
            outcome.reply = turn.text
            return
        messages.append({"role": "assistant", "content": turn.text or None, "tool_calls": [
            {"id": c.id, "type": "function",
             "function": {"name": c.name, "arguments": c.raw_arguments}} for c in turn.calls]})
        for c in turn.calls:
            outcome.calls.append((c.name, c.arguments))
            async with tool_step(Recorder(), c.name, c.id, c.arguments) as step:
                step.finish(await run_tool(ctx, c.name, c.arguments, step))
            messages.append({"role": "tool", "tool_call_id": c.id, "name": c.name,
                             "content": result_json(step.result)})
    outcome.reply = "(no reply: too many rounds)"


def _row(t: Task) -> dict[str, Any]:
    return {"title": t.title, "due_date": t.due_date.isoformat() if t.due_date else None,
            "due_time": t.due_time, "priority": t.priority, "completed": t.completed}


async def board(user_id: str) -> dict[str, dict[str, Any]]:
    return {str(t.id): _row(t) for t in await Task.filter(owner_id=user_id)}


def diff(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]
         ) -> dict[str, Any]:
    """What changed, in the corpus's terms (titles as they were)."""
    changes: dict[str, Any] = {"add": sorted(
        (r["title"].lower(), r["due_date"], r["due_time"], r["priority"])
        for i, r in after.items() if i not in before)}
    changes["deleted"] = sorted(r["title"] for i, r in before.items() if i not in after)
    changes["done"] = sorted(r["title"] for i, r in before.items() if i in after
                             and after[i]["completed"] and not r["completed"])
    changes["undone"] = sorted(r["title"] for i, r in before.items() if i in after
                               and r["completed"] and not after[i]["completed"])
    changed = {}
    for i, r in before.items():
        if i in after:
            fields = {k: v for k, v in after[i].items() if k != "completed" and r[k] != v}
            if fields:
                changed[r["title"]] = fields
    changes["changed"] = changed
    return changes


async def run_case(case: Case, user_id: str, tasks: TaskService, today: date) -> Outcome:
    await seed(user_id, today)
    ctx = ToolContext(user_id, str(uuid.uuid4()), str(uuid.uuid4()), tasks, today)
    messages: list[dict[str, Any]] = []
    for earlier in case.before:
        await say(ctx, messages, earlier, Outcome())
    before = await board(user_id)
    outcome = Outcome()
    await say(ctx, messages, case.phrase, outcome)
    outcome.changes = diff(before, await board(user_id))
    outcome.before = {r["title"]: r for r in before.values()}
    return outcome


def verdict(case: Case, outcome: Outcome) -> str:
    """"" when the outcome is what the case expects, else what differs."""
    wanted = case.expected_changes()
    # A change to what a task already has is no change (e.g. "move the laundry to
    # thursday" on a Thursday, when it is due today): expected is the end state.
    wanted["changed"] = {title: kept for title, fields in wanted["changed"].items()
                         if (kept := {k: v for k, v in fields.items()
                                      if outcome.before.get(title, {}).get(k) != v})}
    for key, value in wanted.items():
        if outcome.changes[key] != value:
            return f"{key}: got {outcome.changes[key]!r}, expected {value!r}"
    if case.reply and case.reply.lower() not in outcome.reply.lower():
        return f"reply {outcome.reply!r} lacks {case.reply!r}"
    for tool, args in case.calls:
        if not any(name == tool and all(made.get(k, DEFAULTS.get(k)) == v for k, v in args)
                   for name, made in outcome.calls):
            return f"no {tool} call with {args}; calls: {outcome.calls}"
    return ""
