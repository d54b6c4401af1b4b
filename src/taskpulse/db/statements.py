"""Statements on the chat hot path, written once as SQL for both dialects.

Tortoise builds every filtered query and update anew through pypika: on this machine
~300 µs of CPU per statement before it reaches the database, two to three times what
running it costs. The few statements that run on every chat message are written here
as fixed SQL text and sent through Tortoise's own connection (same pool, same
transactions). Placeholders are PostgreSQL's ``$1``…; SQLite gets the same numbers as
``?1``…, so a parameter may appear more than once.

Values: ids as text (SQLite stores UUIDs as text; asyncpg accepts text for ``uuid``),
timestamps as aware datetimes (Tortoise registers the SQLite adapter that stores them as
ISO text, the same format the ORM writes). SQLite returns timestamps as that text;
:func:`as_datetime` reads either.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from taskpulse.db.models import Conversation, Message, Run, ToolCall


class Statement:
    def __init__(self, model: type[Model], sql: str) -> None:
        self.model = model
        self.postgres = " ".join(sql.split())
        self.sqlite = self.postgres.replace("$", "?")

    def _client(self) -> tuple[BaseDBAsyncClient, str]:
        db = self.model._meta.db   # the model's connection (or the open transaction)
        return db, (self.sqlite if db.capabilities.dialect == "sqlite" else self.postgres)

    async def fetch(self, *params: Any) -> Sequence[Any]:
        """The rows (each indexable by position and by column name)."""
        db, sql = self._client()
        _, rows = await db.execute_query(sql, list(params))
        return rows

    async def execute(self, *params: Any) -> int:
        """Rows changed."""
        db, sql = self._client()
        changed, _ = await db.execute_query(sql, list(params))
        return changed


def as_datetime(value: datetime | str | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


# Everything a chat message is checked against, in one round trip:
#   own      the conversation $1 is the user's ($2); NULL $1: a new conversation
#   running  a run of it is still going (in any process); runs started before $3 are
#            considered dead whatever their status says
#   day      when the user sent their ($5 + 1)-th newest message since $4 (today)
#   minute   when the user sent their ($7 + 1)-th newest message since $6 (last minute)
# Each limit reads one row of the (owner_id, role, created_at) index.
CHAT_CHECKS = Statement(Message, """
    SELECT
      (SELECT 1 FROM conversation WHERE id = $1 AND owner_id = $2) AS own,
      (SELECT 1 FROM run WHERE conversation_id = $1 AND status = 'running'
         AND started_at >= $3 LIMIT 1) AS running,
      (SELECT created_at FROM message WHERE owner_id = $2 AND role = 'user'
         AND created_at >= $4 ORDER BY created_at DESC LIMIT 1 OFFSET $5) AS day,
      (SELECT created_at FROM message WHERE owner_id = $2 AND role = 'user'
         AND created_at >= $6 ORDER BY created_at DESC LIMIT 1 OFFSET $7) AS minute""")

# End a run unless another process already ended it.
END_RUN = Statement(Run, """
    UPDATE run SET status = $2, error = $3, finished_at = $4
     WHERE id = $1 AND status = 'running'""")

TOUCH_CONVERSATION = Statement(Conversation, """
    UPDATE conversation SET updated_at = $2 WHERE id = $1""")

RECENT_MESSAGES = Statement(Message, """
    SELECT role, content, run_id FROM message WHERE conversation_id = $1
     ORDER BY created_at DESC LIMIT $2""")


@lru_cache(maxsize=64)
def tool_calls_of_runs(count: int) -> Statement:
    """The tool calls of ``count`` runs, oldest first."""
    ids = ", ".join(f"${i}" for i in range(1, count + 1))
    return Statement(ToolCall, f"""
        SELECT run_id, call_id, tool, arguments, ok, message, result FROM tool_call
         WHERE run_id IN ({ids}) ORDER BY created_at""")


def from_json(value: Any) -> Any:
    """A JSON column as read back: text on both databases (asyncpg has no JSON codec)."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value
