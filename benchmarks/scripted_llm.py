"""An instant, scripted model for the agent-path benchmark: one tool call, then a reply."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

from taskpulse.llm.base import Delta, ToolCallRequest

REPLY = "You have your tasks listed above; nothing else is open."


class ScriptedLLM:
    name = "scripted"

    async def stream(self, messages: list[dict[str, Any]],
                     tools: list[dict[str, Any]]) -> AsyncIterator[Delta]:
        if messages and messages[-1].get("role") == "tool":
            for word in REPLY.split(" "):
                yield Delta(text=word + " ")
            return
        yield Delta(tool_call=ToolCallRequest(id=f"call_{uuid.uuid4().hex[:12]}",
                                              name="list_tasks", arguments={},
                                              raw_arguments="{}"))

    async def close(self) -> None:
        return None
