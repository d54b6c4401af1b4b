"""The provider protocol the agent runner talks to.

A provider turns the conversation (OpenAI-style chat messages) plus tool schemas into a
stream of :class:`Delta` items: reply text fragments and complete tool calls.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class ToolCallRequest:
    id: str
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    raw_arguments: str = ""


@dataclass(frozen=True)
class Delta:
    """One streamed piece: some reply ``text`` or one complete ``tool_call``."""
    text: str = ""
    tool_call: ToolCallRequest | None = None


class LLMError(Exception):
    """The model service failed; ``retryable`` tells whether trying later may help."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class LLMProvider(Protocol):
    name: str

    def stream(self, messages: list[dict[str, Any]],
               tools: list[dict[str, Any]]) -> AsyncIterator[Delta]:
        """Stream one model turn."""

    async def close(self) -> None: ...
