"""Statements that run on SQLite and PostgreSQL alike (``$n`` placeholders; SQLite gets
``?n``), on the chat hot path where building queries through the ORM costs more than
running them (see ``statement``)."""
from __future__ import annotations

from functools import lru_cache

from taskpulse.db.models import Conversation, Message, OutboxEvent, Run, ToolCall, User
from taskpulse.db.sql.statement import Statement

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


@lru_cache(maxsize=16)
def existing_users(count: int) -> Statement:
    """Which of ``count`` user ids (text) have an account; ``id`` as stored (text on
    SQLite, ``uuid`` on PostgreSQL)."""
    ids = ", ".join(f"${i}" for i in range(1, count + 1))
    return Statement(User, f'SELECT id FROM "user" WHERE id IN ({ids})')


INSERT_RUN = Statement(Run, """
    INSERT INTO run (id, owner_id, conversation_id, status, process_id, error, started_at)
    VALUES ($1, $2, $3, 'running', $4, '', $5)""")

MESSAGE_COLUMNS = """INSERT INTO message (id, conversation_id, owner_id, role, content, run_id,
                                   client_msg_id, created_at)"""
INSERT_MESSAGE = Statement(Message, f"{MESSAGE_COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")

INSERT_TOOL_CALL = Statement(ToolCall, """
    INSERT INTO tool_call (id, run_id, call_id, tool, arguments, ok, message, error, result,
                           duration_ms, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""")

# The outbox (``delivery/outbox.py``): a row per event of a saved change, on every task change
# and at each start and end of a run.
INSERT_OUTBOX = Statement(OutboxEvent, """
    INSERT INTO outbox (user_id, process_id, name, payload, created_at)
    VALUES ($1, $2, $3, $4, $5) RETURNING id""")


@lru_cache(maxsize=64)
def delete_outbox_rows(count: int) -> Statement:
    ids = ", ".join(f"${i}" for i in range(1, count + 1))
    return Statement(OutboxEvent, f"DELETE FROM outbox WHERE id IN ({ids})")
