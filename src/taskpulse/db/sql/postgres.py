"""PostgreSQL only: a run starts and ends in one statement each (data-modifying ``WITH``
clauses run in the statement's own transaction): one round trip instead of five (start)
or four (end). SQLite runs the same writes as ``common`` statements in one transaction."""
from __future__ import annotations

from taskpulse.db.models import Run
from taskpulse.db.sql.common import MESSAGE_COLUMNS
from taskpulse.db.sql.statement import Statement

_RUN = """INSERT INTO run (id, owner_id, conversation_id, status, process_id, error,
                              started_at) VALUES ($1, $3, $2, 'running', $4, '', $5)"""
START_IN_CONVERSATION = Statement(Run, f"""
    WITH touched AS (UPDATE conversation SET updated_at = $5 WHERE id = $2),
         new_run AS ({_RUN})
    {MESSAGE_COLUMNS} VALUES ($6, $2, $3, 'user', $7, $1, $8, $5)""")
START_NEW_CONVERSATION = Statement(Run, f"""
    WITH new_conversation AS (
           INSERT INTO conversation (id, owner_id, title, created_at, updated_at)
           VALUES ($2, $3, $9, $5, $5)),
         new_run AS ({_RUN})
    {MESSAGE_COLUMNS} VALUES ($6, $2, $3, 'user', $7, $1, $8, $5)""")
END_WITH_REPLY = Statement(Run, f"""
    WITH reply AS ({MESSAGE_COLUMNS} VALUES ($5, $6, $7, 'assistant', $8, $1, NULL, $4))
    UPDATE run SET status = $2, error = $3, finished_at = $4
     WHERE id = $1 AND status = 'running' RETURNING 1""")
