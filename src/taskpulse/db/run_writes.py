"""The writes of an agent run, each group in one transaction.

A run starts with its row, the user's message and the conversation's ``updated_at`` (and,
for a new conversation, the conversation itself) — all or nothing, and one commit (one
disk flush) instead of three. It ends with the reply and the run's final status, together.
The SQL is fixed text (see :mod:`taskpulse.db.statements` for why).
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

from tortoise.transactions import in_transaction

from taskpulse.db.models import Conversation, Message, Run, ToolCall
from taskpulse.db.statements import END_RUN, TOUCH_CONVERSATION, Statement

_INSERT_RUN = Statement(Run, """
    INSERT INTO run (id, owner_id, conversation_id, status, process_id, error, started_at)
    VALUES ($1, $2, $3, 'running', $4, '', $5)""")

_INSERT_MESSAGE = Statement(Message, """
    INSERT INTO message (id, conversation_id, owner_id, role, content, run_id,
                         client_msg_id, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""")

_INSERT_TOOL_CALL = Statement(ToolCall, """
    INSERT INTO tool_call (id, run_id, call_id, tool, arguments, ok, message, error, result,
                           duration_ms, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _transaction() -> Any:
    return in_transaction(Run._meta.default_connection)


async def _add_message(conversation_id: str, owner_id: str, role: str, content: str,
                       run_id: str, client_msg_id: str | None = None) -> tuple[str, datetime]:
    message_id, created_at = str(uuid.uuid4()), _now()
    await _INSERT_MESSAGE.execute(message_id, conversation_id, owner_id, role, content,
                                  run_id, client_msg_id, created_at)
    return message_id, created_at


async def start_run(owner_id: str, conversation_id: str | None, title: str, text: str,
                    process_id: str, client_msg_id: str | None
                    ) -> tuple[str, str, str, datetime]:
    """Save the user's message and a running run for it, in a new conversation (with
    ``title``) when ``conversation_id`` is None. Returns the conversation id, the run id,
    the message id and the message's ``created_at``."""
    run_id = str(uuid.uuid4())
    async with _transaction():
        if conversation_id is None:
            conversation_id = str((await Conversation.create(owner_id=owner_id,
                                                             title=title)).id)
        else:   # a new conversation's updated_at is set by its creation
            await TOUCH_CONVERSATION.execute(conversation_id, _now())
        await _INSERT_RUN.execute(run_id, owner_id, conversation_id, process_id, _now())
        message_id, created_at = await _add_message(conversation_id, owner_id, "user", text,
                                                    run_id, client_msg_id)
    return conversation_id, run_id, message_id, created_at


async def end_run(run_id: str, conversation_id: str, owner_id: str, status: str,
                  error: str, reply: str | None) -> tuple[bool, tuple[str, datetime] | None]:
    """Save the reply (when there is one) and the run's final status. Returns whether the
    status changed — False when another process already ended the run (the reply is kept
    all the same) — and the reply's id and ``created_at``."""
    saved = None
    async with _transaction():
        if reply is not None:
            saved = await _add_message(conversation_id, owner_id, "assistant", reply, run_id)
        changed = await END_RUN.execute(run_id, status, error, _now())
    return bool(changed), saved


async def add_tool_call(run_id: str, call_id: str, tool: str, arguments: dict[str, Any],
                        ok: bool, message: str, error: str, result: dict[str, Any] | None,
                        duration_ms: float) -> None:
    await _INSERT_TOOL_CALL.execute(
        str(uuid.uuid4()), run_id, call_id, tool, json.dumps(arguments, default=str), ok,
        message, error, None if result is None else json.dumps(result, default=str),
        duration_ms, _now())
