"""The offline agent: no key, no network, the same tools and events as a real model.

Stateless like a model: each turn it reads the conversation it is given. On a new user
message it reads the requests in it (:mod:`.intents`) and calls tools or answers
directly; once tool results are in, it may call more (:mod:`.stages`: the board first for
"the first one" with no list shown, a second try for a loosely named task) and then writes
the reply from them. "The first one" and "them" refer to the most recent ``list_tasks``
result in the conversation, "it" to the last task touched, and "yes" confirms a pending
delete-all. Replies stream in small chunks.
"""
from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, timezone
from typing import Any

from taskpulse.agent.offline import replies
from taskpulse.agent.offline.context import (Context, last_user_index, read_context,
                                             tool_rounds)
from taskpulse.agent.offline.intents import parse_all
from taskpulse.agent.offline.planner import LIST_MAX, LIST_MIN, Turn, plan
from taskpulse.agent.offline.stages import next_turn
from taskpulse.llm.base import Delta

__all__ = ["Context", "LIST_MAX", "LIST_MIN", "OfflineProvider", "Turn", "chunks", "plan",
           "read_context", "respond"]


def _today() -> date:
    return datetime.now(timezone.utc).date()


def respond(messages: list[dict[str, Any]], tools_allowed: bool, today: date) -> Turn:
    last_user = last_user_index(messages)
    if last_user < 0:
        return Turn(replies.GREETING)
    intents = parse_all(str(messages[last_user].get("content") or ""))
    rounds = tool_rounds(messages[last_user + 1:])
    turn = next_turn(intents, read_context(messages[:last_user]), rounds, today)
    if turn.calls and not tools_allowed:
        return Turn("I can't change tasks right now. Please try again.")
    return Turn(calls=turn.calls) if turn.calls else turn    # words come with the results


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
