"""The Groq provider: ``groq.AsyncGroq`` with streaming, tool calls, timeouts and retries.

This is the only module that imports ``groq``. The SDK retries 408/409/429/5xx, timeouts
and connection errors with exponential backoff and jitter (honouring ``retry-after``);
whatever still fails becomes an :class:`LLMError` whose text is safe to log (never the
key, never shown to users). Tool-call arguments arrive in fragments and are assembled
here; a complete call is yielded once the model turn ends.
"""
from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import groq
import httpx

from taskpulse.llm.base import Delta, LLMError, ToolCallRequest

log = logging.getLogger(__name__)


@dataclass
class _PartialCall:
    id: str = ""
    name: str = ""
    fragments: list[str] = field(default_factory=list)

    def build(self, index: int) -> ToolCallRequest:
        raw = "".join(self.fragments)
        try:
            parsed = json.loads(raw) if raw.strip() else {}
        except ValueError:
            parsed = None
        arguments = parsed if isinstance(parsed, dict) else {}
        return ToolCallRequest(self.id or f"call_{index}", self.name, arguments, raw)


def _error(exc: Exception) -> LLMError:
    if isinstance(exc, groq.APIStatusError):
        status = exc.status_code
        retryable = status in (408, 409, 429) or status >= 500
        return LLMError(f"model service answered HTTP {status}", retryable=retryable)
    if isinstance(exc, groq.APITimeoutError):
        return LLMError("model service timed out")
    if isinstance(exc, groq.APIConnectionError):
        return LLMError("model service unreachable")
    if isinstance(exc, groq.APIError):
        return LLMError(f"model service error while streaming ({exc.__class__.__name__})")
    return LLMError(f"model stream broke ({exc.__class__.__name__})")


def _wire(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages in the API's own shape (tool results carry no ``name`` there)."""
    return [{k: v for k, v in m.items() if k != "name"} if m.get("role") == "tool" else m
            for m in messages]


class GroqProvider:
    name = "groq"

    def __init__(self, api_key: str, model: str, base_url: str = "",
                 timeout: float = 30.0, max_retries: int = 2,
                 temperature: float = 0.2) -> None:
        self.model = model
        self.temperature = temperature
        self._client = groq.AsyncGroq(
            api_key=api_key, base_url=base_url or None, max_retries=max_retries,
            timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)))

    async def stream(self, messages: list[dict[str, Any]],
                     tools: list[dict[str, Any]]) -> AsyncIterator[Delta]:
        kwargs: dict[str, Any] = {"model": self.model, "messages": _wire(messages),
                                  "stream": True,
                                  "temperature": self.temperature}
        if tools:
            kwargs["tools"] = tools
            kwargs["tool_choice"] = "auto"
        try:
            response = await self._client.chat.completions.create(**kwargs)
        except groq.APIError as exc:
            raise _error(exc) from None
        calls: dict[int, _PartialCall] = {}
        try:
            async with response:
                async for chunk in response:
                    if not chunk.choices:
                        continue
                    delta = chunk.choices[0].delta
                    if delta.content:
                        yield Delta(text=delta.content)
                    for tc in delta.tool_calls or ():
                        part = calls.setdefault(tc.index, _PartialCall())
                        if tc.id:
                            part.id = tc.id
                        if tc.function is not None:
                            if tc.function.name:
                                part.name = tc.function.name
                            if tc.function.arguments:
                                part.fragments.append(tc.function.arguments)
        except (groq.APIError, httpx.HTTPError) as exc:
            raise _error(exc) from None
        for index in sorted(calls):
            yield Delta(tool_call=calls[index].build(index))

    async def close(self) -> None:
        await self._client.close()
