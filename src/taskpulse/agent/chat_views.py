"""JSON shapes of conversations, messages, runs and steps (HTTP responses and events)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from taskpulse.db.models import Conversation, Message, Run, ToolCall
from taskpulse.protocol.timestamps import iso_utc_or_none as iso


def _fk(obj: object, name: str) -> str:
    """The raw id of a foreign key (``conversation_id`` and the like)."""
    return str(getattr(obj, name))


def message_fields(message_id: str, conversation_id: str, role: str, content: str,
                   run_id: str | None, created_at: datetime | None) -> dict[str, Any]:
    return {"id": message_id, "conversation_id": conversation_id, "role": role,
            "content": content, "run_id": run_id, "created_at": iso(created_at)}


def message_dict(message: Message) -> dict[str, Any]:
    return message_fields(str(message.id), _fk(message, "conversation_id"), message.role,
                          message.content, str(message.run_id) if message.run_id else None,
                          message.created_at)


def conversation_dict(conversation: Conversation, active_run_id: str | None = None
                      ) -> dict[str, Any]:
    return {"id": str(conversation.id), "title": conversation.title,
            "created_at": iso(conversation.created_at),
            "updated_at": iso(conversation.updated_at), "active_run_id": active_run_id}


def step_dict(step: ToolCall) -> dict[str, Any]:
    return {"call_id": step.call_id, "tool": step.tool, "arguments": step.arguments,
            "ok": step.ok, "message": step.message, "error": step.error or None,
            "duration_ms": round(step.duration_ms, 1), "created_at": iso(step.created_at)}


def run_dict(run: Run, steps: list[ToolCall]) -> dict[str, Any]:
    return {"id": str(run.id), "conversation_id": _fk(run, "conversation_id"),
            "status": run.status, "error": run.error or None,
            "started_at": iso(run.started_at), "finished_at": iso(run.finished_at),
            "steps": [step_dict(s) for s in steps]}


def step_brief(step: ToolCall) -> dict[str, Any]:
    """A step as a past answer's summary shows it: ``{call_id, tool, ok, message}``."""
    return {"call_id": step.call_id, "tool": step.tool, "ok": step.ok,
            "message": step.message or step.error or ("Done" if step.ok else "Failed")}


def with_run_summaries(messages: list[dict[str, Any]], steps: list[ToolCall],
                       statuses: dict[str, str]) -> list[dict[str, Any]]:
    """Give each assistant message its run's ``steps``, ``step_count`` and ``run_status``.

    ``steps`` are the tool calls of every run on the page (oldest first), ``statuses``
    the runs' status by id: both read with one query per page, never one per message.
    """
    by_run: dict[str, list[dict[str, Any]]] = {}
    for step in steps:
        by_run.setdefault(_fk(step, "run_id"), []).append(step_brief(step))
    for message in messages:
        if message["role"] == "assistant" and message["run_id"]:
            own = by_run.get(message["run_id"], [])
            message.update(steps=own, step_count=len(own),
                           run_status=statuses.get(message["run_id"]))
    return messages


def tool_call_summary(step: ToolCall) -> dict[str, Any]:
    """The ``tool_calls`` items of the HTTP chat response: ``{tool, ok, message}``."""
    detail = step.result.get("message") if isinstance(step.result, dict) else None
    return {"tool": step.tool, "ok": step.ok, "message": str(detail or step.message)}
