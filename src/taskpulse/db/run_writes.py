"""The writes of an agent run, each group all or nothing.

A run starts with its row, the user's message and the conversation's ``updated_at`` (and,
for a new conversation, the conversation itself). It ends with the reply and the run's
final status, together. On PostgreSQL each group is one statement (one round trip); on
SQLite, one transaction. The SQL is fixed text (see :mod:`taskpulse.db.statements` for why).
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

_MESSAGE = """INSERT INTO message (id, conversation_id, owner_id, role, content, run_id,
                                   client_msg_id, created_at)"""
_INSERT_MESSAGE = Statement(Message, f"{_MESSAGE} VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")

_INSERT_TOOL_CALL = Statement(ToolCall, """
    INSERT INTO tool_call (id, run_id, call_id, tool, arguments, ok, message, error, result,
                           duration_ms, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""")


# PostgreSQL: each group as one statement (data-modifying WITH clauses run in the
# statement's own transaction): one round trip instead of five (start) or four (end).
_PG_RUN = """INSERT INTO run (id, owner_id, conversation_id, status, process_id, error,
                              started_at) VALUES ($1, $3, $2, 'running', $4, '', $5)"""
_PG_START_IN = Statement(Run, f"""
    WITH touched AS (UPDATE conversation SET updated_at = $5 WHERE id = $2),
         new_run AS ({_PG_RUN})
    {_MESSAGE} VALUES ($6, $2, $3, 'user', $7, $1, $8, $5)""")
_PG_START_NEW = Statement(Run, f"""
    WITH new_conversation AS (
           INSERT INTO conversation (id, owner_id, title, created_at, updated_at)
           VALUES ($2, $3, $9, $5, $5)),
         new_run AS ({_PG_RUN})
    {_MESSAGE} VALUES ($6, $2, $3, 'user', $7, $1, $8, $5)""")
_PG_END_WITH_REPLY = Statement(Run, f"""
    WITH reply AS ({_MESSAGE} VALUES ($5, $6, $7, 'assistant', $8, $1, NULL, $4))
    UPDATE run SET status = $2, error = $3, finished_at = $4
     WHERE id = $1 AND status = 'running' RETURNING 1""")


def _postgres() -> bool:
    return bool(Run._meta.db.capabilities.dialect == "postgres")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _transaction() -> Any:
    return in_transaction(Run._meta.default_connection)


async def start_run(owner_id: str, conversation_id: str | None, title: str, text: str,
                    process_id: str, client_msg_id: str | None
                    ) -> tuple[str, str, str, datetime]:
    """Save the user's message and a running run for it, in a new conversation (with
    ``title``) when ``conversation_id`` is None. Returns the conversation id, the run id,
    the message id and the message's ``created_at``."""
    run_id, message_id, now = str(uuid.uuid4()), str(uuid.uuid4()), _now()
    if _postgres():
        if conversation_id is None:
            conversation_id = str(uuid.uuid4())
            await _PG_START_NEW.fetch(run_id, conversation_id, owner_id, process_id, now,
                                      message_id, text, client_msg_id, title)
        else:
            await _PG_START_IN.fetch(run_id, conversation_id, owner_id, process_id, now,
                                     message_id, text, client_msg_id)
        return conversation_id, run_id, message_id, now
    async with _transaction():
        if conversation_id is None:
            conversation_id = str((await Conversation.create(owner_id=owner_id,
                                                             title=title)).id)
        else:   # a new conversation's updated_at is set by its creation
            await TOUCH_CONVERSATION.execute(conversation_id, now)
        await _INSERT_RUN.execute(run_id, owner_id, conversation_id, process_id, now)
        await _INSERT_MESSAGE.execute(message_id, conversation_id, owner_id, "user", text,
                                      run_id, client_msg_id, now)
    return conversation_id, run_id, message_id, now


async def end_run(run_id: str, conversation_id: str, owner_id: str, status: str,
                  error: str, reply: str | None) -> tuple[bool, tuple[str, datetime] | None]:
    """Save the reply (when there is one) and the run's final status. Returns whether the
    status changed — False when another process already ended the run (the reply is kept
    all the same) — and the reply's id and ``created_at``."""
    now = _now()
    if reply is None:       # one statement: nothing to group
        return bool(await END_RUN.execute(run_id, status, error, now)), None
    message_id = str(uuid.uuid4())
    if _postgres():
        rows = await _PG_END_WITH_REPLY.fetch(run_id, status, error, now, message_id,
                                              conversation_id, owner_id, reply)
        return bool(rows), (message_id, now)
    async with _transaction():
        await _INSERT_MESSAGE.execute(message_id, conversation_id, owner_id, "assistant",
                                      reply, run_id, None, now)
        changed = await END_RUN.execute(run_id, status, error, now)
    return bool(changed), (message_id, now)


async def add_tool_call(run_id: str, call_id: str, tool: str, arguments: dict[str, Any],
                        ok: bool, message: str, error: str, result: dict[str, Any] | None,
                        duration_ms: float) -> None:
    await _INSERT_TOOL_CALL.execute(
        str(uuid.uuid4()), run_id, call_id, tool, json.dumps(arguments, default=str), ok,
        message, error, None if result is None else json.dumps(result, default=str),
        duration_ms, _now())
