"""The writes of an agent run, each group all or nothing.

A run starts with its row, the user's message and the conversation's ``updated_at`` (and,
for a new conversation, the conversation itself). It ends with the reply and the run's
final status, together. On PostgreSQL each group is one statement (one round trip); on
SQLite, one transaction. The SQL is fixed text (``taskpulse.db.sql``).
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

from tortoise.transactions import in_transaction

from taskpulse.db.models import Conversation, Run
from taskpulse.db.sql import postgres
from taskpulse.db.sql.common import (END_RUN, INSERT_MESSAGE, INSERT_RUN, INSERT_TOOL_CALL,
                                     TOUCH_CONVERSATION)


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
            await postgres.START_NEW_CONVERSATION.fetch(
                run_id, conversation_id, owner_id, process_id, now, message_id, text,
                client_msg_id, title)
        else:
            await postgres.START_IN_CONVERSATION.fetch(
                run_id, conversation_id, owner_id, process_id, now, message_id, text,
                client_msg_id)
        return conversation_id, run_id, message_id, now
    async with _transaction():
        if conversation_id is None:
            conversation_id = str((await Conversation.create(owner_id=owner_id,
                                                             title=title)).id)
        else:   # a new conversation's updated_at is set by its creation
            await TOUCH_CONVERSATION.execute(conversation_id, now)
        await INSERT_RUN.execute(run_id, owner_id, conversation_id, process_id, now)
        await INSERT_MESSAGE.execute(message_id, conversation_id, owner_id, "user", text,
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
        rows = await postgres.END_WITH_REPLY.fetch(run_id, status, error, now, message_id,
                                                   conversation_id, owner_id, reply)
        return bool(rows), (message_id, now)
    async with _transaction():
        await INSERT_MESSAGE.execute(message_id, conversation_id, owner_id, "assistant",
                                     reply, run_id, None, now)
        changed = await END_RUN.execute(run_id, status, error, now)
    return bool(changed), (message_id, now)


async def add_tool_call(run_id: str, call_id: str, tool: str, arguments: dict[str, Any],
                        ok: bool, message: str, error: str, result: dict[str, Any] | None,
                        duration_ms: float) -> None:
    await INSERT_TOOL_CALL.execute(
        str(uuid.uuid4()), run_id, call_id, tool, json.dumps(arguments, default=str), ok,
        message, error, None if result is None else json.dumps(result, default=str),
        duration_ms, _now())
