"""The writes of an agent run, each group all or nothing — with the events they mirror.

A run starts with its row, the user's message and the conversation's ``updated_at`` (and,
for a new conversation, the conversation itself). It ends with the reply and the run's
final status, together. Each group also adds the events that announce it to the outbox
(``delivery/outbox.py``), so a crash right after the commit can delay them, never lose
them: the user's message at the start; at the end the reply (kept even when another process
ended the run first) and the terminal event (only when this write ended the run). On
PostgreSQL each group is one statement (one round trip); on SQLite, one transaction. The
SQL is fixed text (``taskpulse.db.sql``).
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from tortoise.transactions import in_transaction

from taskpulse.db.models import Conversation, Run
from taskpulse.db.sql import postgres
from taskpulse.db.sql.common import (END_RUN, INSERT_MESSAGE, INSERT_OUTBOX, INSERT_RUN,
                                     INSERT_TOOL_CALL, TOUCH_CONVERSATION,
                                     delete_outbox_rows)


@dataclass(frozen=True)
class Told:
    """An event to add to the outbox with the rows it mirrors: its name and JSON payload."""
    name: str
    payload: dict[str, Any]

    @property
    def payload_text(self) -> str:
        return json.dumps(self.payload, separators=(",", ":"))


@dataclass(frozen=True)
class RunStart:
    """A run about to start: ids are chosen by the caller (its events name them)."""
    owner_id: str
    conversation_id: str
    new_conversation: bool      # create the conversation (with ``title``)
    title: str
    run_id: str
    process_id: str
    message_id: str
    text: str
    client_msg_id: str | None
    at: datetime


@dataclass(frozen=True)
class RunEnd:
    """A run's final status, and its reply (``reply_id`` and ``reply``) when it has one."""
    owner_id: str
    conversation_id: str
    run_id: str
    process_id: str
    status: str
    error: str
    at: datetime
    reply_id: str | None = None
    reply: str | None = None


def _postgres() -> bool:
    return bool(Run._meta.db.capabilities.dialect == "postgres")


def now() -> datetime:
    return datetime.now(timezone.utc)


def _transaction() -> Any:
    return in_transaction(Run._meta.default_connection)


async def add_to_outbox(owner_id: str, process_id: str, told: Told) -> int:
    """Add ``told`` to the outbox (inside the caller's transaction); returns the row's id."""
    [row_id] = await INSERT_OUTBOX.returned(str(owner_id), process_id, told.name,
                                            told.payload_text, now())
    return int(row_id)


async def delete_from_outbox(row_ids: list[int]) -> None:
    await delete_outbox_rows(len(row_ids)).execute(*row_ids)


async def start_run(start: RunStart, told: Told) -> int:
    """Save the user's message and a running run for it, and ``told`` (the message's
    event) in the outbox. Returns the outbox row's id."""
    s = start
    if _postgres():
        if s.new_conversation:
            rows = await postgres.START_NEW_CONVERSATION.fetch(
                s.run_id, s.conversation_id, s.owner_id, s.process_id, s.at, s.message_id,
                s.text, s.client_msg_id, s.title, told.name, told.payload_text)
        else:
            rows = await postgres.START_IN_CONVERSATION.fetch(
                s.run_id, s.conversation_id, s.owner_id, s.process_id, s.at, s.message_id,
                s.text, s.client_msg_id, told.name, told.payload_text)
        return int(rows[0][0])
    async with _transaction():
        if s.new_conversation:
            await Conversation.create(id=s.conversation_id, owner_id=s.owner_id,
                                      title=s.title)
        else:   # a new conversation's updated_at is set by its creation
            await TOUCH_CONVERSATION.execute(s.conversation_id, s.at)
        await INSERT_RUN.execute(s.run_id, s.owner_id, s.conversation_id, s.process_id, s.at)
        await INSERT_MESSAGE.execute(s.message_id, s.conversation_id, s.owner_id, "user",
                                     s.text, s.run_id, s.client_msg_id, s.at)
        return await add_to_outbox(s.owner_id, s.process_id, told)


async def end_run(end: RunEnd, told_reply: Told | None, told_end: Told
                  ) -> tuple[bool, list[int]]:
    """Save the reply (when there is one, with ``told_reply``) and the run's final status
    (with ``told_end``). Returns whether the status changed — False when another process
    already ended the run: the reply is kept all the same, ``told_end`` is not added — and
    the outbox rows added, in order."""
    e = end
    if _postgres():
        if e.reply is None:
            rows = await postgres.END_TOLD.fetch(
                e.run_id, e.status, e.error, e.at, e.owner_id, e.process_id, told_end.name,
                told_end.payload_text)
            return bool(rows), [int(r[0]) for r in rows]
        assert told_reply is not None and e.reply_id is not None
        rows = await postgres.END_WITH_REPLY_TOLD.fetch(
            e.run_id, e.status, e.error, e.at, e.reply_id, e.conversation_id, e.owner_id,
            e.reply, e.process_id, told_reply.name, told_reply.payload_text, told_end.name,
            told_end.payload_text)
        ids = sorted(int(r[0]) for r in rows)
        return len(ids) == 2, ids
    async with _transaction():
        ids = []
        if e.reply is not None:
            assert told_reply is not None and e.reply_id is not None
            await INSERT_MESSAGE.execute(e.reply_id, e.conversation_id, e.owner_id,
                                         "assistant", e.reply, e.run_id, None, e.at)
            ids.append(await add_to_outbox(e.owner_id, e.process_id, told_reply))
        changed = bool(await END_RUN.execute(e.run_id, e.status, e.error, e.at))
        if changed:
            ids.append(await add_to_outbox(e.owner_id, e.process_id, told_end))
    return changed, ids


@dataclass(frozen=True)
class CutStep:
    """A tool step a dead process started and never ended: its audit row (``ok`` false)."""
    call_id: str
    tool: str
    arguments: dict[str, Any]
    message: str


async def claim_orphan(run_id: str, owner_id: str, process_id: str, cut: list[CutStep],
                       told: list[Told]) -> list[int] | None:
    """Mark a dead process's run ``interrupted``, write the audit rows of its ``cut``
    steps and add ``told`` (the events that end them and the run) to the outbox, all
    together; None when another process claimed the run first."""
    async with _transaction():
        won = await END_RUN.execute(run_id, "interrupted", "interrupted", now())
        if not won:
            return None
        for step in cut:
            await add_tool_call(run_id, step.call_id, step.tool, step.arguments, False,
                                step.message, "interrupted", None, 0.0)
        return [await add_to_outbox(owner_id, process_id, item) for item in told]


async def add_tool_call(run_id: str, call_id: str, tool: str, arguments: dict[str, Any],
                        ok: bool, message: str, error: str, result: dict[str, Any] | None,
                        duration_ms: float) -> None:
    await INSERT_TOOL_CALL.execute(
        str(uuid.uuid4()), run_id, call_id, tool, json.dumps(arguments, default=str), ok,
        message, error, None if result is None else json.dumps(result, default=str),
        duration_ms, now())
