"""PostgreSQL only: a run starts and ends in one statement each (data-modifying ``WITH``
clauses run in the statement's own transaction): one round trip instead of five or six
(start) or four to six (end), the outbox rows of its events included
(``db/run_writes.py``). SQLite runs the same writes as ``common`` statements and ORM
inserts in one transaction.

Each statement begins with ``WITH``: Tortoise's asyncpg client returns no rows for a
statement that begins with ``INSERT``."""
from __future__ import annotations

from taskpulse.db.models import Run
from taskpulse.db.sql.common import MESSAGE_COLUMNS
from taskpulse.db.sql.statement import Statement

_RUN = """INSERT INTO run (id, owner_id, conversation_id, status, process_id, error,
                              started_at) VALUES ($1, $3, $2, 'running', $4, '', $5)"""
_USER_MESSAGE = f"{MESSAGE_COLUMNS} VALUES ($6, $2, $3, 'user', $7, $1, $8, $5)"
_OUTBOX = "INSERT INTO outbox (user_id, process_id, name, payload, created_at)"
_ENDED = """ended AS (UPDATE run SET status = $2, error = $3, finished_at = $4
                       WHERE id = $1 AND status = 'running' RETURNING 1)"""

START_IN_CONVERSATION = Statement(Run, f"""
    WITH touched AS (UPDATE conversation SET updated_at = $5 WHERE id = $2),
         new_run AS ({_RUN}),
         new_message AS ({_USER_MESSAGE})
    {_OUTBOX} VALUES ($3, $4, $9, $10::jsonb, $5) RETURNING id""")
START_NEW_CONVERSATION = Statement(Run, f"""
    WITH new_conversation AS (
           INSERT INTO conversation (id, owner_id, title, created_at, updated_at)
           VALUES ($2, $3, $9, $5, $5)),
         new_run AS ({_RUN}),
         new_message AS ({_USER_MESSAGE})
    {_OUTBOX} VALUES ($3, $4, $10, $11::jsonb, $5) RETURNING id""")
# No reply: the terminal event only if this statement ended the run.
END_TOLD = Statement(Run, f"""
    WITH {_ENDED}
    {_OUTBOX} SELECT $5::uuid, $6::varchar, $7::varchar, $8::jsonb, $4::timestamptz
     WHERE EXISTS (SELECT 1 FROM ended) RETURNING id""")
# The reply and its event always; the terminal event (inserted after it, so with the
# larger id: the sweep publishes in id order) only if this statement ended the run.
END_WITH_REPLY_TOLD = Statement(Run, f"""
    WITH reply AS ({MESSAGE_COLUMNS} VALUES ($5, $6, $7, 'assistant', $8, $1, NULL, $4)),
         {_ENDED}
    {_OUTBOX} SELECT $7::uuid, $9::varchar, told.name, told.payload, $4::timestamptz
      FROM (VALUES (1, $10::varchar, $11::jsonb), (2, $12::varchar, $13::jsonb))
           AS told (ord, name, payload)
     WHERE told.ord = 1 OR EXISTS (SELECT 1 FROM ended)
     ORDER BY told.ord RETURNING id""")
