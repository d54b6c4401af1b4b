"""The model's view of a conversation, rebuilt from the database on every run.

Each earlier exchange becomes: the user message, the tool calls of its run (as an
assistant ``tool_calls`` message plus a ``tool`` result message, so references such as
"the first one" can be resolved against the last list), and the assistant reply.
Whole exchanges are kept newest first until ``budget_chars`` is used up; an older
exchange that does not fit with its tool results may still fit without them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from taskpulse.agent.tools import result_json
from taskpulse.db.sql.common import RECENT_MESSAGES, tool_calls_of_runs
from taskpulse.db.sql.statement import from_json

MAX_MESSAGES = 200


@dataclass
class _Exchange:
    run_id: str | None = None      # the run the user message started
    messages: list[dict[str, Any]] = field(default_factory=list)
    tools: list[dict[str, Any]] = field(default_factory=list)

    def render(self, with_tools: bool) -> list[dict[str, Any]]:
        if not with_tools or not self.tools:
            return list(self.messages)
        head = [m for m in self.messages if m["role"] == "user"]
        tail = [m for m in self.messages if m["role"] != "user"]
        return head + self.tools + tail


def size(messages: list[dict[str, Any]]) -> int:
    total = 0
    for m in messages:
        total += len(m.get("content") or "")
        for call in m.get("tool_calls", ()):
            total += len(call["function"]["arguments"]) + len(call["function"]["name"])
    return total


def tool_messages(call_id: str, tool: str, arguments: Any, ok: bool, message: str,
                  result: Any) -> list[dict[str, Any]]:
    """One recorded tool call as the model saw it: its call, then its result."""
    if not isinstance(result, dict):
        result = {"success": ok, "message": message}
    return [
        {"role": "assistant", "tool_calls": [{
            "id": call_id, "type": "function",
            "function": {"name": tool, "arguments": json.dumps(arguments)}}]},
        {"role": "tool", "tool_call_id": call_id, "name": tool,
         "content": result_json(result)},
    ]


async def load_history(conversation_id: str, budget_chars: int) -> list[dict[str, Any]]:
    # Plain rows, not model instances: a long conversation is hundreds of rows per run.
    rows = list(await RECENT_MESSAGES.fetch(conversation_id, MAX_MESSAGES))
    rows.reverse()
    exchanges: list[_Exchange] = []
    for role, content, run_id in rows:
        if role == "user" or not exchanges:
            exchanges.append(_Exchange(run_id=str(run_id) if role == "user" and run_id
                                       else None))
        exchanges[-1].messages.append({"role": role, "content": content})

    # Tool results only make an exchange longer, so none older than those whose text
    # alone fits the budget can be kept: read tool calls for those runs only.
    candidates, text_used = [], 0
    for i, ex in enumerate(reversed(exchanges)):
        text_used += size(ex.messages)
        if i and text_used > budget_chars:
            break
        candidates.append(ex)
    run_ids = [ex.run_id for ex in candidates if ex.run_id]
    if run_ids:
        by_run = {ex.run_id: ex for ex in candidates if ex.run_id}
        for run_id, call_id, tool, arguments, ok, message, result in (
                await tool_calls_of_runs(len(run_ids)).fetch(*run_ids)):
            by_run[str(run_id)].tools.extend(tool_messages(
                call_id, tool, from_json(arguments), bool(ok), message, from_json(result)))

    kept: list[list[dict[str, Any]]] = []
    used = 0
    for i, ex in enumerate(candidates):
        for with_tools in (True, False):
            part = ex.render(with_tools)
            if i == 0 or used + size(part) <= budget_chars:
                kept.append(part)
                used += size(part)
                break
        else:
            break
    return [m for part in reversed(kept) for m in part]
