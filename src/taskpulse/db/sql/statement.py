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
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model


class Statement:
    """One fixed SQL text, sent through the connection (or open transaction) of ``model``.
    ``ran_on`` records the dialects it has run on (the tests check every statement ran on
    each of its dialects)."""

    def __init__(self, model: type[Model], sql: str) -> None:
        self.model = model
        self.postgres = " ".join(sql.split())
        self.sqlite = self.postgres.replace("$", "?")
        # Tortoise's asyncpg client reads an INSERT's count from the wrong field of the
        # command tag ("INSERT <oid> <rows>"): inserts count the rows they return instead.
        self.counts_returned = (self.postgres.startswith("INSERT")
                                and "RETURNING" not in self.postgres)
        self.ran_on: set[str] = set()

    def _client(self) -> tuple[BaseDBAsyncClient, str]:
        db = self.model._meta.db   # the model's connection (or the open transaction)
        dialect = db.capabilities.dialect
        self.ran_on.add(dialect)
        return db, (self.sqlite if dialect == "sqlite" else self.postgres)

    async def fetch(self, *params: Any) -> Sequence[Any]:
        """The rows (each indexable by position and by column name)."""
        db, sql = self._client()
        _, rows = await db.execute_query(sql, list(params))
        return rows

    async def returned(self, *params: Any) -> list[Any]:
        """The first column of each row a statement ``... RETURNING`` gives back (Tortoise's
        asyncpg client returns no rows from ``execute_query`` for an ``INSERT``)."""
        db, sql = self._client()
        rows = await db.execute_query_dict(sql, list(params))
        return [next(iter(row.values())) for row in rows]

    async def execute(self, *params: Any) -> int:
        """Rows changed."""
        db, sql = self._client()
        if self.counts_returned and sql is self.postgres:
            return len(await db.execute_query_dict(f"{sql} RETURNING 1", list(params)))
        changed, _ = await db.execute_query(sql, list(params))
        return changed


def as_datetime(value: datetime | str | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def from_json(value: Any) -> Any:
    """A JSON column as read back: text on both databases (asyncpg has no JSON codec)."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value
