"""Access to the machine's PostgreSQL and Redis for tests.

Without ``TASKPULSE_REQUIRE_SERVICES=1`` a missing service skips the test with a clear
reason; with it (CI), a missing service fails the test.
"""
from __future__ import annotations

import os
import uuid

import pytest

PG_DSN = os.environ.get("TASKPULSE_TEST_PG", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TASKPULSE_TEST_REDIS", "redis://127.0.0.1:6379/0")


def _missing(what: str, exc: BaseException) -> None:
    reason = f"{what} is not reachable ({exc.__class__.__name__}: {exc})"
    if os.environ.get("TASKPULSE_REQUIRE_SERVICES") == "1":
        pytest.fail(reason + " and TASKPULSE_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(reason + "; set up the service to run this test")


async def create_pg_database() -> str:
    """A fresh, empty PostgreSQL database; returns its URL. Drop it with ``drop_pg_database``."""
    import asyncpg

    name = "tp_" + uuid.uuid4().hex[:16]
    try:
        conn = await asyncpg.connect(PG_DSN.replace("postgres://", "postgresql://"), timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        _missing("PostgreSQL at " + PG_DSN, exc)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = PG_DSN.rsplit("/", 1)[0]
    return f"{base}/{name}"


async def drop_pg_database(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(PG_DSN.replace("postgres://", "postgresql://"), timeout=3)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def redis_url_or_skip() -> str:
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:  # any connection failure
        _missing("Redis at " + REDIS_URL, exc)
    finally:
        await client.aclose()
    return REDIS_URL
