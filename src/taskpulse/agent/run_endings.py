"""How a run ends: the reply and the final status saved together with their events.

The reply's ``message_created`` and the terminal event (``agent_done``, ``agent_error`` or
``agent_cancelled``) are built before the write and go into the outbox in the write's own
transaction (``db/run_writes.py:end_run``); they are published once it has committed. So a
run that ended in the database ends on every tab, even if this process dies right after the
commit (the outbox sweep of this or another process publishes them). Exactly one terminal
event: none when another process already ended the run (it sent its own).
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from taskpulse.agent.api import RunResult
from taskpulse.agent.chat_views import message_fields
from taskpulse.db.run_writes import RunEnd, end_run, now
from taskpulse.delivery.outbox import Outbox, told
from taskpulse.delivery.publishing import EventSink, RunEmitter
from taskpulse.protocol.events import (AgentCancelled, AgentDone, AgentError, ChatMessage,
                                       MessageCreated, RunEvent)

log = logging.getLogger(__name__)

FRIENDLY_ERRORS = {
    "llm_unavailable": "The assistant is unavailable right now. Please try again in a minute.",
    "llm_error": "The assistant couldn't handle that request. Please try rephrasing it.",
    "timeout": "This took too long and was stopped. Please try again.",
    "interrupted": "The server restarted before this finished. Please send your message "
                   "again.",
    "internal": "Something went wrong on our side. Please try again.",
}


def message_created(data: dict[str, Any]) -> MessageCreated:
    return MessageCreated(conversation_id=data["conversation_id"], run_id=data["run_id"],
                          message=ChatMessage(**data))


class RunEndings:
    def __init__(self, sink: EventSink, outbox: Outbox, process_id: str) -> None:
        self.sink = sink
        self.outbox = outbox
        self.process_id = process_id

    async def done(self, emitter: RunEmitter, content: str,
                   tool_calls: list[dict[str, Any]]) -> RunResult:
        at = now()
        reply = _reply(emitter, content, at)
        changed = await self._end(emitter, "done", "", at, reply, emitter.build(
            AgentDone, message="Done!", message_id=reply["id"], content=content))
        return _result(emitter, "done" if changed else "interrupted", content, reply,
                       tool_calls, None if changed else "interrupted")

    async def cancelled(self, emitter: RunEmitter, content: str,
                        tool_calls: list[dict[str, Any]]) -> RunResult:
        at = now()
        reply = _reply(emitter, content, at) if content else None
        changed = await self._end(emitter, "cancelled", "", at, reply, emitter.build(
            AgentCancelled, message="Cancelled", message_id=reply["id"] if reply else None,
            content=content))
        return _result(emitter, "cancelled" if changed else "interrupted", content, reply,
                       tool_calls, None if changed else "interrupted")

    async def failed(self, emitter: RunEmitter, code: str, tool_calls: list[dict[str, Any]],
                     status: str = "error") -> RunResult:
        text = FRIENDLY_ERRORS[code]
        changed = await self._end(emitter, status, code, now(), None,
                                  emitter.build(AgentError, code=code, message=text))
        return _result(emitter, status if changed else "interrupted", text, None,
                       tool_calls, code if changed else "interrupted")

    async def _end(self, emitter: RunEmitter, status: str, error: str, at: datetime,
                   reply: dict[str, Any] | None, terminal: RunEvent) -> bool:
        """Save and announce the ending; False when another process already ended the run
        (it marked the run interrupted and announced it when this process looked dead)."""
        events: list[Any] = [terminal] if reply is None else [message_created(reply),
                                                              terminal]
        end = RunEnd(emitter.user_id, emitter.conversation_id, emitter.run_id,
                     self.process_id, status, error, at,
                     reply["id"] if reply else None, reply["content"] if reply else None)
        try:
            changed, row_ids = await end_run(
                end, told(events[0]) if reply else None, told(terminal))
        except Exception:
            if reply is not None:
                raise           # the run then ends as an error, without the reply
            log.exception("could not mark run %s as %s", emitter.run_id, status)
            await self.sink.publish(emitter.user_id, terminal)  # it must still go out
            return True
        await self.outbox.deliver(self.outbox.pending(row_ids, emitter.user_id, events))
        if not changed:
            log.warning("run %s was already ended elsewhere; not sending %s",
                        emitter.run_id, status)
        return changed


def _reply(emitter: RunEmitter, content: str, at: datetime) -> dict[str, Any]:
    return message_fields(str(uuid.uuid4()), emitter.conversation_id, "assistant", content,
                          emitter.run_id, at)


def _result(emitter: RunEmitter, status: str, response: str, message: dict[str, Any] | None,
            tool_calls: list[dict[str, Any]], error: str | None) -> RunResult:
    return RunResult(emitter.run_id, emitter.conversation_id, status, response, message,
                     list(tool_calls), error)
