"""One agent run: model rounds, tool steps, streamed reply, exactly one terminal event.

Events, in order: ``agent_thinking`` -> per tool call ``tool_starting``,
``tool_progress``*, ``tool_complete`` | ``tool_error`` -> ``agent_token``* -> one of
``agent_done`` / ``agent_error`` / ``agent_cancelled``. The assistant message is saved
and published as ``message_created`` before the terminal event.
"""
from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from taskpulse.agent.api import RunResult
from taskpulse.agent.run_endings import RunEndings
from taskpulse.agent.history import load_history
from taskpulse.agent.prompts import system_message
from taskpulse.agent.steps import StepRecord, failure, tool_step
from taskpulse.agent.reply_batching import ShieldedEmitter, ReplyBatcher
from taskpulse.agent.tool_schemas import TOOL_SCHEMAS
from taskpulse.agent.tools import ToolContext, result_json, run_tool
from taskpulse.config import Config
from taskpulse.db.run_writes import add_tool_call
from taskpulse.delivery.outbox import Outbox, Pending
from taskpulse.llm.base import LLMError, LLMProvider, ToolCallRequest
from taskpulse.delivery.publishing import EventSink, RunEmitter
from taskpulse.protocol.events import AgentThinking
from taskpulse.tasks.service import TaskService

log = logging.getLogger(__name__)


@dataclass
class RunState:
    """A run in progress, shared by the runner and whoever may cancel it."""
    user_id: str
    run_id: str
    conversation_id: str
    # The user's message_created, committed with the message: delivered first.
    announced: list[Pending] = field(default_factory=list)
    # The model's view of the conversation when it is known without reading the database
    # (a conversation this run just created holds only the user's message).
    history: list[dict[str, Any]] | None = None
    cancel_reason: str | None = None      # "user" or "shutdown"
    finishing: bool = False               # past the point where cancelling helps
    parts: list[str] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts).strip()


def _bad_arguments(call: ToolCallRequest) -> bool:
    raw = call.raw_arguments.strip()
    if call.arguments or not raw:
        return False
    try:
        return not isinstance(json.loads(raw), dict)
    except ValueError:
        return True


class AgentRunner:
    def __init__(self, config: Config, llm: LLMProvider, tasks: TaskService,
                 sink: EventSink, outbox: Outbox, process_id: str) -> None:
        self.config = config
        self.llm = llm
        self.tasks = tasks
        self.sink = sink
        self.outbox = outbox
        self.endings = RunEndings(sink, outbox, process_id)

    async def run(self, state: RunState) -> RunResult:
        events = RunEmitter(self.sink, state.user_id, state.run_id, state.conversation_id)
        emitter = ShieldedEmitter(events)
        batcher = ReplyBatcher(emitter, self.config.agent_token_batch_ms,
                               self.config.agent_token_batch_chars)
        try:
            try:
                async with asyncio.timeout(self.config.agent_run_timeout_seconds):
                    announced, state.announced = state.announced, []
                    await self.outbox.deliver(announced)
                    await emitter.emit(AgentThinking, message="Processing your request...")
                    await self._rounds(state, emitter, batcher)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None:
                    task.uncancel()
                state.finishing = True
                await batcher.close()
                if state.cancel_reason == "shutdown":
                    return await self.endings.failed(events, "interrupted", state.tool_calls,
                                                     "interrupted")
                return await self.endings.cancelled(events, state.text, state.tool_calls)
            state.finishing = True
            if not state.text:      # the model said nothing: report what the tools did
                fallback = self._fallback(state)
                state.parts.append(fallback)
                await batcher.add(fallback)
            await batcher.close()
            return await self.endings.done(events, state.text, state.tool_calls)
        except TimeoutError:
            state.finishing = True
            await batcher.close()
            return await self.endings.failed(events, "timeout", state.tool_calls)
        except LLMError as exc:
            state.finishing = True
            log.warning("model failed in run %s: %s", state.run_id, exc)
            await batcher.close()
            return await self.endings.failed(
                events, "llm_unavailable" if exc.retryable else "llm_error", state.tool_calls)
        except Exception:
            state.finishing = True
            log.exception("agent run %s failed", state.run_id)
            await batcher.close()
            return await self.endings.failed(events, "internal", state.tool_calls)

    async def end_abandoned(self, state: RunState) -> RunResult:
        """End a run whose task ended without ending it (cancelled before it first ran,
        or failed outside :meth:`run`): cancelled when a user stopped it, otherwise
        interrupted. No terminal event when the run was already ended."""
        events = RunEmitter(self.sink, state.user_id, state.run_id, state.conversation_id)
        state.finishing = True
        announced, state.announced = state.announced, []     # not delivered yet
        await self.outbox.deliver(announced)
        if state.cancel_reason == "user":
            return await self.endings.cancelled(events, state.text, state.tool_calls)
        return await self.endings.failed(events, "interrupted", state.tool_calls,
                                         "interrupted")

    # ---- the model/tool loop ----------------------------------------------------------

    async def _rounds(self, state: RunState, emitter: ShieldedEmitter,
                      batcher: ReplyBatcher) -> None:
        today = datetime.now(timezone.utc).date()
        history = state.history
        if history is None:
            history = await load_history(state.conversation_id,
                                         self.config.agent_history_chars)
        messages: list[dict[str, Any]] = [system_message(today), *history]
        ctx = ToolContext(state.user_id, state.run_id, state.conversation_id, self.tasks,
                          today)
        rounds = self.config.agent_max_tool_rounds
        for round_no in range(rounds + 1):
            # The tools stay declared in the last round (the history refers to them), but
            # calls made there are not run: the reply is whatever text came with them.
            text, calls = await self._model_turn(messages, TOOL_SCHEMAS, state, batcher)
            if not calls:
                return
            if round_no == rounds:
                log.info("run %s reached the limit of %d tool rounds", state.run_id, rounds)
                return
            await batcher.flush()
            assistant: dict[str, Any] = {"role": "assistant", "tool_calls": [
                {"id": c.id, "type": "function",
                 "function": {"name": c.name, "arguments": c.raw_arguments
                              or json.dumps(c.arguments)}} for c in calls]}
            if text:
                assistant["content"] = text
            messages.append(assistant)
            for call in calls:
                result = await self._tool(ctx, emitter, state, call)
                messages.append({"role": "tool", "tool_call_id": call.id, "name": call.name,
                                 "content": result_json(result)})

    async def _model_turn(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]],
                          state: RunState, batcher: ReplyBatcher
                          ) -> tuple[str, list[ToolCallRequest]]:
        text: list[str] = []
        calls: list[ToolCallRequest] = []
        # Calls past the cap are neither run nor kept in the history (the model only
        # learns of the calls it gets results for).
        cap, dropped = self.config.agent_max_tool_calls_per_turn, 0
        stream = self.llm.stream(messages, tools)
        try:
            async for delta in stream:
                if delta.text:
                    if not text and state.parts and not state.parts[-1].endswith("\n"):
                        state.parts.append("\n\n")
                        await batcher.add("\n\n")
                    text.append(delta.text)
                    state.parts.append(delta.text)
                    await batcher.add(delta.text)
                if delta.tool_call is not None and len(calls) >= cap:
                    dropped += 1
                elif delta.tool_call is not None:
                    call = delta.tool_call
                    if not call.id:
                        call = ToolCallRequest("call_" + uuid.uuid4().hex[:12], call.name,
                                               call.arguments, call.raw_arguments)
                    calls.append(call)
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()
        if dropped:
            log.warning("run %s: the model asked for %d tool calls in one turn; ran the "
                        "first %d", state.run_id, len(calls) + dropped, cap)
        return "".join(text), calls

    async def _tool(self, ctx: ToolContext, emitter: ShieldedEmitter, state: RunState,
                    call: ToolCallRequest) -> dict[str, Any]:
        async def record(rec: StepRecord) -> None:
            await add_tool_call(state.run_id, rec.call_id[:64], rec.tool[:40], rec.arguments,
                                rec.ok, rec.message, rec.error[:40], rec.result,
                                rec.duration_ms)

        async with tool_step(emitter, call.name, call.id[:64], dict(call.arguments),
                             recorder=record) as step:
            if _bad_arguments(call):
                step.finish(failure("invalid_input",
                                    f"The arguments for {call.name} were not valid JSON."))
            else:
                step.finish(await run_tool(ctx, call.name, dict(call.arguments), step))
        state.tool_calls.append({"tool": call.name, "ok": step.ok,
                                 "message": str(step.result.get("message") or step.message)})
        return step.result

    @staticmethod
    def _fallback(state: RunState) -> str:
        said = [c["message"] for c in state.tool_calls if c.get("message")]
        return "\n".join(said) if said else "Done."
