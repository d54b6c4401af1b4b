"""How a run's events leave the agent: shielded emits and batched reply text.

``ShieldedEmitter`` finishes an emit even when the run is cancelled halfway through it,
so an event is never half-published (the log and the room always agree).

``ReplyBatcher`` turns a stream of tiny model tokens into a few ``agent_token`` events:
it sends when ``max_chars`` have gathered or ``max_ms`` after the first pending token,
whichever comes first — never one emit per token.
"""
from __future__ import annotations

import asyncio
from typing import Any

from taskpulse.delivery.publishing import Emitter
from taskpulse.protocol.events import AgentToken, RunEvent


class ShieldedEmitter:
    def __init__(self, inner: Emitter) -> None:
        self._inner = inner

    async def emit(self, event_type: type[RunEvent], **fields: Any) -> None:
        await asyncio.shield(self._inner.emit(event_type, **fields))


class ReplyBatcher:
    def __init__(self, emitter: Emitter, max_ms: int, max_chars: int) -> None:
        self._emitter = emitter
        self._delay = max(0, max_ms) / 1000
        self._max_chars = max(1, max_chars)
        self._parts: list[str] = []
        self._size = 0
        self._lock = asyncio.Lock()
        self._timer: asyncio.Task[None] | None = None
        self._timer_firing = False

    async def add(self, text: str) -> None:
        if not text:
            return
        self._parts.append(text)
        self._size += len(text)
        if self._size >= self._max_chars or self._delay == 0:
            await self.flush()
        elif self._timer is None:
            self._timer = asyncio.create_task(self._flush_later())

    async def _flush_later(self) -> None:
        await asyncio.sleep(self._delay)
        self._timer_firing = True
        try:
            await self._send()
        finally:
            self._timer = None
            self._timer_firing = False
            if self._parts:     # text that arrived while this batch was being sent
                self._timer = asyncio.create_task(self._flush_later())

    def _stop_timer(self) -> asyncio.Task[None] | None:
        """Cancel a sleeping timer; return a firing one (the caller awaits it)."""
        timer = self._timer
        if timer is None or timer is asyncio.current_task():
            return None
        if self._timer_firing:
            return timer
        timer.cancel()
        self._timer = None
        return None

    async def flush(self) -> None:
        """Send whatever is pending now (call before any other event of the run)."""
        while (firing := self._stop_timer()) is not None:
            await asyncio.shield(firing)
        await self._send()

    async def _send(self) -> None:
        async with self._lock:
            if not self._parts:
                return
            text = "".join(self._parts)
            self._parts.clear()
            self._size = 0
            await self._emitter.emit(AgentToken, text=text)

    async def close(self) -> None:
        """Flush and stop; safe to call more than once."""
        await self.flush()
