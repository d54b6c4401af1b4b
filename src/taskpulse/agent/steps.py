"""A tool step: ``tool_starting`` on entry, ``tool_progress`` as it goes, and exactly one
terminal event (``tool_complete`` or ``tool_error``) on exit, whatever happens inside.

    async with tool_step(emitter, "list_tasks", call_id, args) as step:
        step.finish(await do_the_work(step))
    result = step.result          # always set after the block

A ``{"success": false}`` result, an exception in the body, a missing result and a
cancellation all end with ``tool_error``. Exceptions are logged and turned into a
generic failure (the model and the user never see raw exception text); cancellation
is re-raised after the terminal event so the run can stop.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from taskpulse.agent.wording import complete_message, starting_message
from taskpulse.delivery.publishing import Emitter
from taskpulse.protocol.events import ToolComplete, ToolError, ToolProgress, ToolStarting

log = logging.getLogger(__name__)


def failure(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """A structured tool failure: ``{success: false, error, message}``."""
    return {"success": False, "error": code, "message": message, **extra}


@dataclass
class StepRecord:
    """What the audit trail keeps of one tool call."""
    call_id: str
    tool: str
    arguments: dict[str, Any]
    ok: bool
    message: str
    error: str
    result: dict[str, Any]
    duration_ms: float


Recorder = Callable[[StepRecord], Awaitable[None]]


@dataclass
class ToolStep:
    emitter: Emitter
    tool: str
    call_id: str
    arguments: dict[str, Any]
    result: dict[str, Any] = field(default_factory=dict)
    ok: bool = False
    message: str = ""
    _finished: bool = False

    async def progress(self, message: str, count: int | None = None,
                       total: int | None = None) -> None:
        await self.emitter.emit(ToolProgress, tool=self.tool, call_id=self.call_id,
                                message=message, count=count, total=total)

    def finish(self, result: dict[str, Any]) -> None:
        """Set the tool's structured result (decides complete vs error at exit)."""
        self.result = result
        self._finished = True

    async def _terminal(self) -> None:
        if self.result.get("success") is False:
            self.ok = False
            self.message = str(self.result.get("message") or f"Error in {self.tool}")
            await self.emitter.emit(ToolError, tool=self.tool, call_id=self.call_id,
                                    message=self.message,
                                    error=str(self.result.get("error") or "failed"))
        else:
            self.ok = True
            self.message = complete_message(self.tool, self.result)
            await self.emitter.emit(ToolComplete, tool=self.tool, call_id=self.call_id,
                                    message=self.message, result=self.result)


@asynccontextmanager
async def tool_step(emitter: Emitter, tool: str, call_id: str, arguments: dict[str, Any],
                    recorder: Recorder | None = None) -> AsyncIterator[ToolStep]:
    step = ToolStep(emitter, tool, call_id, arguments)
    await emitter.emit(ToolStarting, tool=tool, call_id=call_id,
                       message=starting_message(tool, arguments), arguments=arguments)
    started = time.monotonic()
    cancelled: asyncio.CancelledError | None = None
    try:
        yield step
        if not step._finished:
            step.finish(failure("no_result", f"{tool} finished without a result."))
    except asyncio.CancelledError as exc:
        cancelled = exc
        step.finish(failure("cancelled", "Stopped before it finished."))
    except Exception:
        log.exception("tool %s (call %s) raised", tool, call_id)
        step.finish(failure("internal", f"Something went wrong while running {tool}."))
    try:
        await step._terminal()
    finally:
        if recorder is not None:
            record = StepRecord(call_id, tool, arguments, step.ok, step.message,
                                "" if step.ok else str(step.result.get("error", "")),
                                step.result, (time.monotonic() - started) * 1000)
            try:
                await recorder(record)
            except Exception:
                log.exception("recording tool call %s failed", call_id)
    if cancelled is not None:
        raise cancelled
