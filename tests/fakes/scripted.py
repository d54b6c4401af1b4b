"""A deterministic model for tests: it plays a script of turns, optionally slowly.

    llm = ScriptedProvider([
        Turn(calls=[("list_tasks", {"status": "pending"})]),   # round 1: call a tool
        Turn(text="You have 2 open tasks."),                    # round 2: the reply
    ])
    llm = ScriptedProvider.slow("a long reply ...", delay=0.2)  # every turn, slowly

A turn may also be a function of the messages the model receives (to script replies
that depend on tool results). ``requests`` keeps what the model saw on each call.
Reusable by any test that needs a predictable or slow agent run (browser tests too).
"""
from __future__ import annotations

import asyncio
import copy
import json
import uuid
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Union

from taskpulse.llm.base import Delta, LLMError, ToolCallRequest


@dataclass
class Turn:
    text: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    delay: float = 0.0          # seconds before each text chunk
    chunk_chars: int = 6        # size of the text chunks
    error: LLMError | None = None
    raw_arguments: str | None = None   # send these (invalid) arguments for the first call


TurnSource = Union[Turn, Callable[[list[dict[str, Any]]], Turn]]


class ScriptedProvider:
    name = "scripted"

    def __init__(self, turns: list[TurnSource] | None = None,
                 default: TurnSource | None = None) -> None:
        self.turns: deque[TurnSource] = deque(turns or [])
        self.default: TurnSource = default if default is not None else Turn(text="OK.")
        self.requests: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]] = []
        self.closed = False

    @classmethod
    def slow(cls, text: str = "Working on it, one word at a time, slowly and surely.",
             delay: float = 0.2, chunk_chars: int = 6) -> "ScriptedProvider":
        """Every turn answers ``text`` in chunks, ``delay`` seconds apart."""
        return cls(default=Turn(text=text, delay=delay, chunk_chars=chunk_chars))

    def add(self, *turns: TurnSource) -> None:
        self.turns.extend(turns)

    async def stream(self, messages: list[dict[str, Any]],
                     tools: list[dict[str, Any]]) -> AsyncIterator[Delta]:
        self.requests.append((copy.deepcopy(messages), tools))
        source = self.turns.popleft() if self.turns else self.default
        turn = source(messages) if callable(source) else source
        if turn.error is not None:
            raise turn.error
        for i, (name, args) in enumerate(turn.calls):
            raw = turn.raw_arguments if i == 0 and turn.raw_arguments is not None \
                else json.dumps(args)
            yield Delta(tool_call=ToolCallRequest("call_" + uuid.uuid4().hex[:12], name,
                                                  args if raw == json.dumps(args) else {},
                                                  raw))
        text = turn.text
        for start in range(0, len(text), max(1, turn.chunk_chars)):
            if turn.delay:
                await asyncio.sleep(turn.delay)
            yield Delta(text=text[start:start + turn.chunk_chars])

    async def close(self) -> None:
        self.closed = True
