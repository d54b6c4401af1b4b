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
from taskpulse.db.models import Message, ToolCall

MAX_MESSAGES = 200


@dataclass
class _Exchange:
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


def tool_messages(call: ToolCall) -> list[dict[str, Any]]:
    result = call.result if isinstance(call.result, dict) else {
        "success": call.ok, "message": call.message}
    return [
        {"role": "assistant", "tool_calls": [{
            "id": call.call_id, "type": "function",
            "function": {"name": call.tool, "arguments": json.dumps(call.arguments)}}]},
        {"role": "tool", "tool_call_id": call.call_id, "name": call.tool,
         "content": result_json(result)},
    ]


async def load_history(conversation_id: str, budget_chars: int) -> list[dict[str, Any]]:
    rows = await Message.filter(conversation_id=conversation_id).order_by(
        "-created_at").limit(MAX_MESSAGES)
    rows.reverse()
    run_ids = {m.run_id for m in rows if m.run_id}
    calls: dict[str, list[ToolCall]] = {}
    if run_ids:
        for call in await ToolCall.filter(run_id__in=list(run_ids)).order_by("created_at"):
            calls.setdefault(str(call.run_id), []).append(call)  # type: ignore[attr-defined]

    exchanges: list[_Exchange] = []
    for m in rows:
        if m.role == "user" or not exchanges:
            exchanges.append(_Exchange())
            for call in calls.get(str(m.run_id), []) if m.role == "user" else []:
                exchanges[-1].tools.extend(tool_messages(call))
        exchanges[-1].messages.append({"role": m.role, "content": m.content})

    kept: list[list[dict[str, Any]]] = []
    used = 0
    for i, ex in enumerate(reversed(exchanges)):
        for with_tools in (True, False):
            part = ex.render(with_tools)
            if i == 0 or used + size(part) <= budget_chars:
                kept.append(part)
                used += size(part)
                break
        else:
            break
    return [m for part in reversed(kept) for m in part]
