"""From intents to tool calls: which tasks a reference means and what to call for each.

``board`` is a list of every task the model fetched in this run (for positions when no
list was shown yet, for selections such as "everything overdue", and for loose names).
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from taskpulse.agent.offline import replies
from taskpulse.agent.offline.context import Context
from taskpulse.agent.offline.examples import capability
from taskpulse.agent.offline.intent import Intent
from taskpulse.agent.offline.intents import parse
from taskpulse.agent.offline.matching import closest
from taskpulse.agent.offline.refs import Ref
from taskpulse.agent.tool_schemas import TOOL_SCHEMAS
from taskpulse.llm.base import ToolCallRequest


def _list_limits() -> tuple[int, int]:
    """The smallest and largest ``limit`` the list_tasks tool takes (from its schema)."""
    tool = next(t["function"] for t in TOOL_SCHEMAS if t["function"]["name"] == "list_tasks")
    limit = tool["parameters"]["properties"]["limit"]
    return int(limit["minimum"]), int(limit["maximum"])


LIST_MIN, LIST_MAX = _list_limits()
Board = list[dict[str, Any]]


@dataclass
class Turn:
    text: str = ""
    calls: list[ToolCallRequest] = field(default_factory=list)


def call(name: str, **arguments: Any) -> ToolCallRequest:
    args = {k: v for k, v in arguments.items() if v not in (None, "")}
    return ToolCallRequest("call_" + uuid.uuid4().hex[:16], name, args, json.dumps(args))


def board_call() -> ToolCallRequest:
    """Every task in the board's order (what "the first one" means with no list shown)."""
    return call("list_tasks", status="all", limit=LIST_MAX)


def needs_board(intents: list[Intent], ctx: Context) -> bool:
    for intent in intents:
        if intent.kind not in ("complete", "delete", "update"):
            continue
        ref = intent.ref
        if ref.selection is not None and not ref.selection.bulk:
            return True
        if (ref.positions or ref.first_n or ref.last_n) and ctx.last_list is None:
            return True
        if intent.shift_days:
            return True
    return False


def _by_position(ref: Ref, items: Board) -> Board | str:
    if ref.listed:
        return items
    if ref.first_n:
        return items[:ref.first_n] if ref.first_n <= len(items) else []
    if ref.last_n:
        return items[-ref.last_n:] if ref.last_n <= len(items) else []
    chosen = []
    for p in ref.positions:
        index = p - 1 if p > 0 else len(items) + p
        if not 0 <= index < len(items):
            return replies.out_of_range(len(items))
        chosen.append(items[index])
    return chosen


def _by_title(titles: list[str], board: Board | None) -> list[str]:
    """Titles as said; with the board at hand, a loose name becomes the id it means."""
    out = []
    for title in titles:
        exact = [t for t in board or [] if str(t.get("title", "")).lower() == title.lower()]
        match = exact[0] if len(exact) == 1 else (closest(title, board) if board else None)
        out.append(str(match["id"]) if match else title)
    return out


def targets(ref: Ref, ctx: Context, board: Board | None, today: date) -> list[str] | str:
    """Task ids or titles for a reference, or a reply explaining why not."""
    if ref.titles:
        return _by_title(ref.titles, board)
    if ref.it:
        return [str(ctx.last_task["id"])] if ctx.last_task else replies.NO_IT
    if ref.selection is not None:
        picked = [t for t in board or [] if ref.selection.picks(t, today)]
        return [str(t["id"]) for t in picked] or replies.NONE_SELECTED
    items = ctx.last_list if ctx.last_list is not None else board
    if items is None or (ref.listed and ctx.last_list is None):
        return replies.NO_LIST
    chosen = _by_position(ref, items)
    if isinstance(chosen, str):
        return chosen
    if not chosen:
        return replies.out_of_range(len(items))
    return [str(t["id"]) for t in chosen]


def _shifted(intent: Intent, found: list[str], board: Board | None, today: date) -> Turn:
    """"postpone X by a week": each task's own due date (or today) moved on."""
    calls = []
    for task_id in found:
        task = next((t for t in board or [] if str(t.get("id")) == task_id), None)
        if task is None:
            calls.append(call("update_task", task=task_id))    # not found: the tool says so
            continue
        start = date.fromisoformat(task["due_date"]) if task.get("due_date") else today
        calls.append(call("update_task", task=task_id,
                          due_date=(start + timedelta(days=intent.shift_days)).isoformat()))
    return Turn(calls=calls)


def _change(intent: Intent, found: list[str]) -> Turn:
    if intent.kind == "complete":
        return Turn(calls=[call("complete_task", task=t, completed=intent.completed)
                           for t in found])
    if intent.kind == "delete":
        return Turn(calls=[call("delete_task", task=t) for t in found])
    if not (intent.title or intent.due or intent.due_time or intent.priority):
        return Turn(replies.UPDATE_WHAT)
    return Turn(calls=[call("update_task", task=t, title=intent.title, due_date=intent.due,
                            due_time=intent.due_time, priority=intent.priority)
                       for t in found])


def _add(intent: Intent) -> Turn:
    titles = intent.titles or ([intent.title] if intent.title else [])
    if not titles:
        return Turn(replies.ADD_WHAT)
    dues = intent.dues if len(intent.dues) == len(titles) else [("", "")] * len(titles)
    return Turn(calls=[call("add_task", title=t, description=intent.description,
                            due_date=due or intent.due,
                            due_time=due_time or (intent.due_time if not due else ""),
                            priority=intent.priority) for t, (due, due_time) in zip(titles, dues)])


def _confirm(ctx: Context) -> Turn | Intent:
    if ctx.pending_delete is None and ctx.suggested_add:
        return parse("add " + ctx.suggested_add)
    if ctx.pending_delete is None:
        return Turn(replies.NOTHING_PENDING)
    return Turn(calls=[call("delete_all_tasks", confirmed=True,
                            status=ctx.pending_delete.get("status", "all"))])


def plan_one(intent: Intent, ctx: Context, board: Board | None, today: date) -> Turn:
    kind = intent.kind
    if kind in ("help", "greet", "thanks"):
        return Turn({"help": replies.HELP, "greet": replies.GREETING,
                     "thanks": replies.THANKS}[kind])
    if kind == "confirm":
        confirmed = _confirm(ctx)
        if isinstance(confirmed, Turn):
            return confirmed
        intent, kind = confirmed, confirmed.kind
    if kind == "deny":
        return Turn(replies.KEPT if ctx.pending_delete else "Okay.")
    if kind == "add":
        return _add(intent)
    if kind == "undo":
        return _undo(ctx)
    if kind == "list":
        # "the first 500": the tool takes at most LIST_MAX (the reply says so)
        limit = None if intent.limit is None else min(max(intent.limit, LIST_MIN), LIST_MAX)
        return Turn(calls=[call("list_tasks", status=intent.status,
                                due_within_days=intent.due_within_days, limit=limit)])
    if kind == "complete_all":
        return Turn(calls=[call("complete_all_tasks", completed=intent.completed,
                                status=intent.status)])
    if kind == "delete_all":
        return Turn(calls=[call("delete_all_tasks", confirmed=False, status=intent.status)])
    if kind in ("complete", "delete", "update"):
        found = targets(intent.ref, ctx, board, today)
        if isinstance(found, str):
            return Turn(found)
        if intent.shift_days:
            return _shifted(intent, found, board, today)
        return _change(intent, found)
    return Turn(_unclear(intent.text))


def _undo(ctx: Context) -> Turn:
    """Undo the chat's last change where a tool can: a completion is reopened (and a
    reopening completed again); for anything else, say how to change it back."""
    if ctx.last_change is None:
        return Turn(replies.NOTHING_TO_UNDO)
    tool, args = ctx.last_change
    task = ctx.last_task or {}
    title = str(task.get("title") or args.get("task") or "the task")
    if tool == "complete_task" and task.get("id"):
        return Turn(calls=[call("complete_task", task=task["id"],
                                completed=not args.get("completed", True))])
    if tool == "delete_task":
        return Turn(replies.CANT_UNDO_DELETE.format(title=args.get("task") or title))
    return Turn(replies.CANT_UNDO.format(title=title))


def _unclear(text: str) -> str:
    """Offer to add a few words that are not a question ("groceries", "buy milk"), unless
    they sound like another thing I do ("snooze the laundry": an example of moving it)."""
    words = text.split()
    kind = capability(text)
    asks = re.match(r"(?:tell me|why|who|how|when|where|can you|do you|are you|will you|what|"
                    r"is it|are there)\b", text, re.I)
    if 0 < len(words) <= 6 and not text.endswith("?") and re.match(r"[a-z]", text, re.I) \
            and kind in (None, 0) and not asks:
        return replies.suggest_add(text)
    return replies.unclear(text)


def plan(intents: list[Intent], ctx: Context, board: Board | None, today: date) -> Turn:
    """Every intent's calls in one turn; replies of the ones that need no tool, joined."""
    turn = Turn()
    texts = []
    for intent in intents:
        one = plan_one(intent, ctx, board, today)
        turn.calls.extend(one.calls)
        if one.text:
            texts.append(one.text)
    turn.text = "\n".join(texts)
    # Changes to existing tasks first, so that a task added in the same message cannot make
    # their names ambiguous ("add laundry detergent and tick off the laundry"); lists last.
    turn.calls.sort(key=lambda c: {"add_task": 1, "list_tasks": 2}.get(c.name, 0))
    return turn
