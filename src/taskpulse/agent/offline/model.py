"""The offline agent: no key, no network, the same tools and events as a real model.

Stateless like a model: each turn it reads the conversation it is given. On a new user
message it parses the intent and either calls tools or answers directly; once tool
results are in, it writes the reply from them. "The first one" and "them" refer to the
most recent ``list_tasks`` result in the conversation, "it" to the last task touched,
and "yes" confirms a pending delete-all. Replies stream in small chunks.
"""
from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from taskpulse.agent.tool_schemas import TOOL_SCHEMAS
from taskpulse.agent.offline import replies
from taskpulse.llm.base import Delta, ToolCallRequest
from taskpulse.agent.offline.intents import Intent, parse
from taskpulse.agent.offline.refs import Ref


def _today() -> date:
    return datetime.now(timezone.utc).date()


def _list_limits() -> tuple[int, int]:
    """The smallest and largest ``limit`` the list_tasks tool takes (from its schema)."""
    tool = next(t["function"] for t in TOOL_SCHEMAS if t["function"]["name"] == "list_tasks")
    limit = tool["parameters"]["properties"]["limit"]
    return int(limit["minimum"]), int(limit["maximum"])


LIST_MIN, LIST_MAX = _list_limits()


@dataclass
class Context:
    """What earlier turns established."""
    last_list: list[dict[str, Any]] | None = None
    last_task: dict[str, Any] | None = None
    pending_delete: dict[str, Any] | None = None    # the unconfirmed delete_all result
    suggested_add: str = ""    # what the previous reply offered to add ("say yes")


@dataclass
class Turn:
    text: str = ""
    calls: list[ToolCallRequest] = field(default_factory=list)


def _tool_results(messages: list[dict[str, Any]]
                  ) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(tool, arguments, result) for every tool message, in order."""
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    out = []
    for m in messages:
        for c in m.get("tool_calls") or ():
            try:
                args = json.loads(c["function"].get("arguments") or "{}")
            except ValueError:
                args = {}
            calls[c["id"]] = (c["function"]["name"], args if isinstance(args, dict) else {})
        if m.get("role") == "tool":
            name, args = calls.get(m.get("tool_call_id", ""), (m.get("name", ""), {}))
            try:
                result = json.loads(m.get("content") or "{}")
            except ValueError:
                result = {}
            out.append((name, args, result if isinstance(result, dict) else {}))
    return out


def read_context(before: list[dict[str, Any]]) -> Context:
    ctx = Context()
    for tool, _args, result in _tool_results(before):
        if not result.get("success"):
            continue
        if tool == "list_tasks":
            ctx.last_list = list(result.get("tasks") or [])
            if len(ctx.last_list) == 1:
                ctx.last_task = ctx.last_list[0]
        elif isinstance(result.get("task"), dict) and tool != "delete_task":
            ctx.last_task = result["task"]
    last_user = max((i for i, m in enumerate(before) if m.get("role") == "user"), default=-1)
    answer = [m for m in before[last_user + 1:] if m.get("role") == "assistant"]
    if answer and not answer[-1].get("tool_calls"):
        ctx.suggested_add = replies.suggested_add(str(answer[-1].get("content") or ""))
    for tool, _args, result in _tool_results(before[last_user + 1:]):
        if tool == "delete_all_tasks":
            ctx.pending_delete = result if result.get("requires_confirmation") else None
    return ctx


def _call(name: str, **arguments: Any) -> ToolCallRequest:
    args = {k: v for k, v in arguments.items() if v not in (None, "")}
    return ToolCallRequest("call_" + uuid.uuid4().hex[:16], name, args, json.dumps(args))


def _targets(ref: Ref, ctx: Context) -> list[str] | str:
    """Task ids or titles for a reference, or a reply explaining why not."""
    if ref.title:
        return [ref.title]
    if ref.it:
        return [ctx.last_task["id"]] if ctx.last_task else replies.NO_IT
    items = ctx.last_list
    if items is None:
        return replies.NO_LIST
    if ref.listed:
        chosen = items
    elif ref.first_n:
        chosen = items[:ref.first_n] if ref.first_n <= len(items) else []
    elif ref.last_n:
        chosen = items[-ref.last_n:] if ref.last_n <= len(items) else []
    else:
        chosen = []
        for p in ref.positions:
            index = p - 1 if p > 0 else len(items) + p
            if not 0 <= index < len(items):
                return replies.out_of_range(len(items))
            chosen.append(items[index])
    if not chosen:
        return replies.out_of_range(len(items))
    return [str(t["id"]) for t in chosen]


def plan(intent: Intent, ctx: Context) -> Turn:
    kind = intent.kind
    if kind in ("help", "greet", "thanks"):
        return Turn({"help": replies.HELP, "greet": replies.GREETING,
                     "thanks": replies.THANKS}[kind])
    if kind == "confirm":
        if ctx.pending_delete is None and ctx.suggested_add:
            intent = parse("add " + ctx.suggested_add)
            kind = intent.kind
        elif ctx.pending_delete is None:
            return Turn(replies.NOTHING_PENDING)
        else:
            return Turn(calls=[_call("delete_all_tasks", confirmed=True,
                                     status=ctx.pending_delete.get("status", "all"))])
    if kind == "deny":
        return Turn(replies.KEPT if ctx.pending_delete else "Okay.")
    if kind == "add":
        if not intent.title:
            return Turn(replies.ADD_WHAT)
        return Turn(calls=[_call("add_task", title=intent.title, description=intent.description,
                                 due_date=intent.due, priority=intent.priority)])
    if kind == "list":
        # "the first 500": the tool takes at most LIST_MAX (the reply says so)
        limit = None if intent.limit is None else min(max(intent.limit, LIST_MIN), LIST_MAX)
        return Turn(calls=[_call("list_tasks", status=intent.status,
                                 due_within_days=intent.due_within_days, limit=limit)])
    if kind == "complete_all":
        return Turn(calls=[_call("complete_all_tasks", completed=intent.completed,
                                 status=intent.status)])
    if kind == "delete_all":
        return Turn(calls=[_call("delete_all_tasks", confirmed=False, status=intent.status)])
    if kind in ("complete", "delete", "update"):
        targets = _targets(intent.ref, ctx)
        if isinstance(targets, str):
            return Turn(targets)
        if kind == "complete":
            return Turn(calls=[_call("complete_task", task=t, completed=intent.completed)
                               for t in targets])
        if kind == "delete":
            return Turn(calls=[_call("delete_task", task=t) for t in targets])
        if not (intent.title or intent.due or intent.priority):
            return Turn(replies.UPDATE_WHAT)
        return Turn(calls=[_call("update_task", task=t, title=intent.title,
                                 due_date=intent.due, priority=intent.priority)
                           for t in targets])
    words = intent.text.split()
    if 0 < len(words) <= 6 and not intent.text.endswith("?") and re.match(r"[a-z]", intent.text,
                                                                          re.I):
        return Turn(replies.suggest_add(intent.text))
    return Turn(replies.UNCLEAR)


def respond(messages: list[dict[str, Any]], tools_allowed: bool, today: date) -> Turn:
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    if last_user < 0:
        return Turn(replies.GREETING)
    after = messages[last_user + 1:]
    asked = parse(str(messages[last_user].get("content") or ""))
    if any(m.get("role") == "tool" for m in after):
        text = replies.compose(_tool_results(after), today)
        if asked.limit is not None and asked.limit > LIST_MAX:     # the list was cut down
            text = replies.at_most(LIST_MAX) + "\n" + text
        return Turn(text)
    turn = plan(asked, read_context(messages[:last_user]))
    if turn.calls and not tools_allowed:
        return Turn("I can't change tasks right now. Please try again.")
    return turn


def chunks(text: str, max_chunks: int = 40) -> list[str]:
    """A few words per chunk; long replies get bigger chunks so they never crawl."""
    pieces = re.findall(r"\S+\s*|\s+", text)
    size = max(3, -(-len(pieces) // max_chunks))
    return ["".join(pieces[i:i + size]) for i in range(0, len(pieces), size)]


class OfflineProvider:
    name = "offline"

    def __init__(self, chunk_delay: float = 0.0,
                 today: Callable[[], date] = _today) -> None:
        self.chunk_delay = chunk_delay
        self.today = today

    async def stream(self, messages: list[dict[str, Any]],
                     tools: list[dict[str, Any]]) -> AsyncIterator[Delta]:
        turn = respond(messages, bool(tools), self.today())
        for call in turn.calls:
            yield Delta(tool_call=call)
        for i, piece in enumerate(chunks(turn.text)):
            if i and self.chunk_delay:
                await asyncio.sleep(self.chunk_delay)
            yield Delta(text=piece)

    async def close(self) -> None:
        return None
