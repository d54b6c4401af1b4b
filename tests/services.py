"""Access to the machine's PostgreSQL and Redis for tests.

Without ``TASKPULSE_REQUIRE_SERVICES=1`` a missing service skips the test with a clear
reason; with it (CI), a missing service fails the test.
"""
from __future__ import annotations

import os
import subprocess
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


class OwnRedis:
    """A redis-server of the test's own on a free port (no persistence): a test that kills,
    pauses or floods Redis uses one, never the shared server."""

    def __init__(self, workdir: os.PathLike[str]) -> None:
        import socket
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> "OwnRedis":
        import asyncio
        import shutil

        import redis.asyncio as aioredis

        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not os.path.exists(binary):
            _missing("redis-server", FileNotFoundError(binary))
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir), "--maxclients", "10000"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = aioredis.from_url(self.url)
        try:
            for _ in range(100):
                try:
                    await client.ping()
                    return self
                except Exception:
                    await asyncio.sleep(0.05)
        finally:
            await client.aclose()
        raise AssertionError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def pause(server: OwnRedis, paused: bool) -> None:
    """SIGSTOP / SIGCONT: a Redis that hangs (connections stay open, nothing answers)."""
    import signal
    assert server.proc is not None
    server.proc.send_signal(signal.SIGSTOP if paused else signal.SIGCONT)
