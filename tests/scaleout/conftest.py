"""Scale-out tests: real Redis (a key prefix and channel of each test's own), and for the
in-process ones the realtime suite's tabs on an app configured with Redis."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from taskpulse.config import Config
from taskpulse.db.setup import migrate
from tests.conftest import make_config
from tests.realtime.conftest import Tab, open_tab  # noqa: F401  (fixture for these tests)
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
