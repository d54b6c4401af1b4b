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
from taskpulse.agent.history import load_history
from taskpulse.agent.prompts import system_message
from taskpulse.agent.chat_views import message_fields
from taskpulse.agent.steps import StepRecord, failure, tool_step
from taskpulse.agent.reply_batching import ShieldedEmitter, ReplyBatcher
from taskpulse.agent.tool_schemas import TOOL_SCHEMAS
from taskpulse.agent.tools import ToolContext, result_json, run_tool
from taskpulse.config import Config
from taskpulse.db.run_writes import add_tool_call, end_run
from taskpulse.llm.base import LLMError, LLMProvider, ToolCallRequest
from taskpulse.delivery.publishing import EventSink, RunEmitter
from taskpulse.protocol.events import (AgentCancelled, AgentDone, AgentError, AgentThinking,
                                       ChatMessage, MessageCreated)
from taskpulse.tasks.service import TaskService

log = logging.getLogger(__name__)

FRIENDLY_ERRORS = {
    "llm_unavailable": "The assistant is unavailable right now. Please try again in a minute.",
    "llm_error": "The assistant couldn't handle that request. Please try rephrasing it.",
    "timeout": "This took too long and was stopped. Please try again.",
    "interrupted": "The server restarted before this finished. Please send your message "
                   "again.",
    "internal": "Something went wrong on our side. Please try again.",
}


@dataclass
class RunState:
    """A run in progress, shared by the runner and whoever may cancel it."""
    user_id: str
    run_id: str
    conversation_id: str
    user_message: dict[str, Any] | None = None   # published first, as message_created
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
                 sink: EventSink) -> None:
        self.config = config
        self.llm = llm
        self.tasks = tasks
        self.sink = sink

    async def run(self, state: RunState) -> RunResult:
        emitter = ShieldedEmitter(RunEmitter(self.sink, state.user_id, state.run_id,
                                             state.conversation_id))
        batcher = ReplyBatcher(emitter, self.config.agent_token_batch_ms,
                               self.config.agent_token_batch_chars)
        try:
            try:
                async with asyncio.timeout(self.config.agent_run_timeout_seconds):
                    if state.user_message is not None:
                        await self._publish_message(state, state.user_message)
                    await emitter.emit(AgentThinking, message="Processing your request...")
                    await self._rounds(state, emitter, batcher)
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None:
                    task.uncancel()
                state.finishing = True
                await batcher.close()
                if state.cancel_reason == "shutdown":
                    return await self._fail(state, emitter, "interrupted", "interrupted")
                return await self._cancelled(state, emitter)
            state.finishing = True
            if not state.text:      # the model said nothing: report what the tools did
                fallback = self._fallback(state)
                state.parts.append(fallback)
                await batcher.add(fallback)
            await batcher.close()
            return await self._done(state, emitter)
        except TimeoutError:
            state.finishing = True
            await batcher.close()
            return await self._fail(state, emitter, "timeout")
        except LLMError as exc:
            state.finishing = True
            log.warning("model failed in run %s: %s", state.run_id, exc)
            await batcher.close()
            return await self._fail(state, emitter,
                                    "llm_unavailable" if exc.retryable else "llm_error")
        except Exception:
            state.finishing = True
            log.exception("agent run %s failed", state.run_id)
            await batcher.close()
            return await self._fail(state, emitter, "internal")

    async def end_abandoned(self, state: RunState) -> RunResult:
        """End a run whose task ended without ending it (cancelled before it first ran,
        or failed outside :meth:`run`): cancelled when a user stopped it, otherwise
        interrupted. No terminal event when the run was already ended."""
        emitter = ShieldedEmitter(RunEmitter(self.sink, state.user_id, state.run_id,
                                             state.conversation_id))
        state.finishing = True
        if state.cancel_reason == "user":
            return await self._cancelled(state, emitter)
        return await self._fail(state, emitter, "interrupted", "interrupted")

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

    # ---- endings ----------------------------------------------------------------------

    async def _end(self, state: RunState, status: str, error: str = "",
                   reply: str | None = None) -> tuple[bool, dict[str, Any] | None]:
        """Save the reply (if any) and the final status together, then publish the reply.
        False when another process already ended the run (it marked the run interrupted
        and sent the terminal event when this process looked dead)."""
        try:
            changed, saved = await end_run(state.run_id, state.conversation_id,
                                           state.user_id, status, error, reply)
        except Exception:
            if reply is not None:
                raise           # the run then ends as an error, without the reply
            log.exception("could not mark run %s as %s", state.run_id, status)
            return True, None   # the terminal event must still go out
        data = None
        if saved is not None:
            data = message_fields(saved[0], state.conversation_id, "assistant", reply or "",
                                  state.run_id, saved[1])
            await self._publish_message(state, data)
        if not changed:
            log.warning("run %s was already ended elsewhere; not sending %s", state.run_id,
                        status)
        return changed, data

    async def _publish_message(self, state: RunState, data: dict[str, Any]) -> None:
        await asyncio.shield(self.sink.publish(state.user_id, MessageCreated(
            conversation_id=state.conversation_id, run_id=state.run_id,
            message=ChatMessage(**data))))

    def _result(self, state: RunState, status: str, response: str,
                message: dict[str, Any] | None, error: str | None = None) -> RunResult:
        return RunResult(state.run_id, state.conversation_id, status, response, message,
                         list(state.tool_calls), error)

    async def _done(self, state: RunState, emitter: ShieldedEmitter) -> RunResult:
        content = state.text
        changed, message = await self._end(state, "done", reply=content)
        if not changed or message is None:
            return self._result(state, "interrupted", content, message, "interrupted")
        await emitter.emit(AgentDone, message="Done!", message_id=message["id"],
                           content=content)
        return self._result(state, "done", content, message)

    async def _cancelled(self, state: RunState, emitter: ShieldedEmitter) -> RunResult:
        content = state.text
        changed, message = await self._end(state, "cancelled", reply=content or None)
        if not changed:
            return self._result(state, "interrupted", content, message, "interrupted")
        await emitter.emit(AgentCancelled, message="Cancelled",
                           message_id=message["id"] if message else None, content=content)
        return self._result(state, "cancelled", content, message)

    async def _fail(self, state: RunState, emitter: ShieldedEmitter, code: str,
                    status: str = "error") -> RunResult:
        text = FRIENDLY_ERRORS[code]
        changed, _ = await self._end(state, status, code)
        if not changed:
            return self._result(state, "interrupted", text, None, "interrupted")
        await emitter.emit(AgentError, code=code, message=text)
        return self._result(state, status, text, None, code)
