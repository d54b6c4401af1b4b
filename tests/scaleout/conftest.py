"""Scale-out tests: real Redis (a key prefix and channel of each test's own), and for the
in-process ones the realtime suite's tabs on an app configured with Redis."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from taskpulse.config import Config
from taskpulse.db.setup import migrate
from tests.conftest import Account, make_config
from tests.web.socket.conftest import Tab, open_tab  # noqa: F401  (fixture for these tests)
from tests.scaleout.cluster import Cluster, make_cluster
from tests.services import redis_url_or_skip

__all__ = ["Tab"]


@pytest.fixture
async def redis_url() -> str:
    return await redis_url_or_skip()


@pytest.fixture
async def redis_prefix(redis_url: str) -> AsyncIterator[str]:
    """A prefix no other test uses; its keys are deleted afterwards."""
    import redis.asyncio as aioredis

    prefix = "tp-test-" + uuid.uuid4().hex[:12]
    yield prefix
    client = aioredis.from_url(redis_url)
    try:
        keys = [k async for k in client.scan_iter(match=prefix + ":*", count=500)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Any]:
    import redis.asyncio as aioredis

    client = aioredis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def config(database_url: str, tmp_path: Any, redis_url: str, redis_prefix: str) -> Config:
    """The app of these tests shares its events through Redis."""
    cfg = make_config(database_url=database_url, var_dir=str(tmp_path / "var"),
                      redis_url=redis_url, redis_prefix=redis_prefix)
    if database_url.startswith("postgres"):
        await migrate(cfg)
    return cfg


@pytest.fixture
async def cluster(redis_url: str, redis_prefix: str, tmp_path: Path) -> AsyncIterator[Cluster]:
    """Real server processes on one PostgreSQL database and this test's Redis prefix."""
    async for made in make_cluster(redis_url, redis_prefix, tmp_path):
        yield made


@pytest.fixture
async def tab() -> AsyncIterator[Callable[..., Any]]:
    """``await tab(url, account, transports=..., last_event_id=...)``: a connected tab."""
    opened: list[Tab] = []

    async def connect(url: str, account: Account, transports: list[str] | None = None,
                      **auth: Any) -> Tab:
        made = Tab(url, transports)
        opened.append(made)
        await made.connect({"token": account.token, **auth})
        return made

    yield connect
    for made in opened:
        try:
            await made.close()
        except Exception:
            pass
