"""A fake Groq API on 127.0.0.1 speaking the chat-completions protocol the groq SDK uses.

It answers ``POST /openai/v1/chat/completions`` from a script of replies, streaming
Server-Sent Events (``data: {chunk}`` ... ``data: [DONE]``) when asked to, including
tool calls whose JSON arguments arrive in several fragments. Every request body and
its headers are recorded, so tests can check what the real SDK sent.
"""
from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Union

from aiohttp import web

PATH = "/openai/v1/chat/completions"


@dataclass
class Completion:
    """One model turn: text and/or tool calls ``(name, arguments)``."""
    text: str = ""
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    text_chunk: int = 4           # characters per streamed text delta
    arg_fragments: int = 3        # pieces each tool call's arguments are split into
    delay: float = 0.0            # seconds between streamed chunks


@dataclass
class Failure:
    status: int
    message: str = "upstream trouble"
    headers: dict[str, str] = field(default_factory=lambda: {"retry-after-ms": "5"})


@dataclass
class Hang:
    seconds: float


Reply = Union[Completion, Failure, Hang]
ReplySource = Union[Reply, Callable[[dict[str, Any]], Reply]]


def _split(text: str, parts: int) -> list[str]:
    if not text:
        return [""]
    size = max(1, -(-len(text) // max(1, parts)))
    return [text[i:i + size] for i in range(0, len(text), size)]


class FakeGroq:
    def __init__(self) -> None:
        self.script: deque[ReplySource] = deque()
        self.default: Reply | None = None     # used when the script runs out
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    def add(self, *replies: ReplySource) -> None:
        self.script.extend(replies)

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post(PATH, self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        if self.script:
            source = self.script.popleft()
        elif self.default is not None:
            source = self.default
        else:
            return self._error(500, "the fake has no reply scripted", {})
        reply = source(body) if callable(source) else source
        if isinstance(reply, Hang):
            await asyncio.sleep(reply.seconds)
            return self._error(504, "hung", {})
        if isinstance(reply, Failure):
            return self._error(reply.status, reply.message, reply.headers)
        if body.get("stream"):
            return await self._stream(request, body, reply)
        return self._whole(body, reply)

    @staticmethod
    def _error(status: int, message: str, headers: dict[str, str]) -> web.Response:
        return web.json_response({"error": {"message": message, "type": "server_error",
                                            "code": str(status)}},
                                 status=status, headers=headers)

    @staticmethod
    def _calls(reply: Completion) -> list[dict[str, Any]]:
        return [{"id": "call_" + uuid.uuid4().hex[:10], "type": "function",
                 "function": {"name": name, "arguments": json.dumps(args)}}
                for name, args in reply.tool_calls]

    def _whole(self, body: dict[str, Any], reply: Completion) -> web.Response:
        calls = self._calls(reply)
        message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
        if calls:
            message["tool_calls"] = calls
        return web.json_response({
            "id": "chatcmpl-" + uuid.uuid4().hex[:8], "object": "chat.completion",
            "created": int(time.time()), "model": body.get("model", ""),
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": "tool_calls" if calls else "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

    async def _stream(self, request: web.Request, body: dict[str, Any],
                      reply: Completion) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                               "Cache-Control": "no-cache"})
        await response.prepare(request)
        cid, created = "chatcmpl-" + uuid.uuid4().hex[:8], int(time.time())

        async def send(delta: dict[str, Any], finish: str | None = None,
                       extra: dict[str, Any] | None = None) -> None:
            chunk = {"id": cid, "object": "chat.completion.chunk", "created": created,
                     "model": body.get("model", ""),
                     "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                  "finish_reason": finish}], **(extra or {})}
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
            if reply.delay:
                await asyncio.sleep(reply.delay)

        await send({"role": "assistant", "content": ""})
        for i in range(0, len(reply.text), max(1, reply.text_chunk)):
            await send({"content": reply.text[i:i + reply.text_chunk]})
        for index, call in enumerate(self._calls(reply)):
            await send({"tool_calls": [{"index": index, "id": call["id"], "type": "function",
                                        "function": {"name": call["function"]["name"],
                                                     "arguments": ""}}]})
            for fragment in _split(call["function"]["arguments"], reply.arg_fragments):
                await send({"tool_calls": [{"index": index,
                                            "function": {"arguments": fragment}}]})
        await send({}, "tool_calls" if reply.tool_calls else "stop",
                   {"x_groq": {"id": "req_fake", "usage": {"total_tokens": 3}}})
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response
