"""What the offline model reads from the conversation it is given: earlier lists and tasks
(for "the first one" and "it"), a pending delete-all, an offered add, and the tool rounds
of the run in progress."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from taskpulse.agent.offline import replies

#: (tool, arguments, result) of one tool call.
Result = tuple[str, dict[str, Any], dict[str, Any]]


@dataclass
class Context:
    """What earlier turns established."""
    last_list: list[dict[str, Any]] | None = None
    last_task: dict[str, Any] | None = None
    pending_delete: dict[str, Any] | None = None    # the unconfirmed delete_all result
    suggested_add: str = ""    # what the previous reply offered to add ("say yes")
    last_change: tuple[str, dict[str, Any]] | None = None   # the newest change: tool, args


def _arguments(call: dict[str, Any]) -> dict[str, Any]:
    try:
        args = json.loads(call["function"].get("arguments") or "{}")
    except ValueError:
        args = {}
    return args if isinstance(args, dict) else {}


def _result(message: dict[str, Any]) -> dict[str, Any]:
    try:
        result = json.loads(message.get("content") or "{}")
    except ValueError:
        result = {}
    return result if isinstance(result, dict) else {}


def tool_rounds(messages: list[dict[str, Any]]) -> list[list[Result]]:
    """The results of each assistant turn that called tools, in order."""
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    rounds: list[list[Result]] = []
    for m in messages:
        if m.get("role") == "assistant" and m.get("tool_calls"):
            rounds.append([])
            for c in m["tool_calls"]:
                calls[c["id"]] = (c["function"]["name"], _arguments(c))
        if m.get("role") == "tool":
            name, args = calls.get(m.get("tool_call_id", ""), (m.get("name", ""), {}))
            if not rounds:
                rounds.append([])
            rounds[-1].append((name, args, _result(m)))
    return rounds


def tool_results(messages: list[dict[str, Any]]) -> list[Result]:
    """(tool, arguments, result) for every tool message, in order."""
    return [r for one in tool_rounds(messages) for r in one]


def last_user_index(messages: list[dict[str, Any]]) -> int:
    return max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)


def read_context(before: list[dict[str, Any]]) -> Context:
    ctx = Context()
    for tool, _args, result in tool_results(before):
        if not result.get("success"):
            continue
        if tool == "list_tasks":
            ctx.last_list = list(result.get("tasks") or [])
            if len(ctx.last_list) == 1:
                ctx.last_task = ctx.last_list[0]
        elif isinstance(result.get("task"), dict) and tool != "delete_task":
            ctx.last_task = result["task"]
        if tool != "list_tasks":
            ctx.last_change = (tool, _args)
    last_user = last_user_index(before)
    answer = [m for m in before[last_user + 1:] if m.get("role") == "assistant"]
    if answer and not answer[-1].get("tool_calls"):
        ctx.suggested_add = replies.suggested_add(str(answer[-1].get("content") or ""))
    for tool, _args, result in tool_results(before[last_user + 1:]):
        if tool == "delete_all_tasks":
            ctx.pending_delete = result if result.get("requires_confirmation") else None
    return ctx
