"""The login throttle in Redis: one sliding window shared by every process."""
from __future__ import annotations

import asyncio

import pytest

from taskpulse.auth.redis_throttle import RedisThrottle
from taskpulse.keys import LOGIN_THROTTLE

pytestmark = pytest.mark.redis


@pytest.fixture
def two(redis_client, redis_prefix) -> tuple[RedisThrottle, RedisThrottle]:
    """Two throttles on one Redis, as two processes have."""
    return (RedisThrottle(redis_client, redis_prefix, max_failures=3, window_seconds=60),
            RedisThrottle(redis_client, redis_prefix, max_failures=3, window_seconds=60))


async def test_failures_on_any_process_count_toward_one_limit(two):
    a, b = two
    await a.record_failure("email:ann@example.com")
    await b.record_failure("email:ann@example.com")
    assert await a.retry_after("email:ann@example.com") == 0
    await a.record_failure("email:ann@example.com")
    assert 58 <= await b.retry_after("email:ann@example.com") <= 60
    assert await b.retry_after("email:bob@example.com") == 0


async def test_reset_anywhere_frees_the_key(two):
    a, b = two
    for _ in range(3):
        await a.record_failure("k")
    await b.reset("k")
    assert await a.retry_after("k") == 0


async def test_the_window_slides_and_keys_expire(redis_client, redis_prefix):
    throttle = RedisThrottle(redis_client, redis_prefix, max_failures=2, window_seconds=1)
    await throttle.record_failure("k")
    await throttle.record_failure("k")
    assert await throttle.retry_after("k") == 1
    assert 0 < await redis_client.pttl(throttle._key("k")) <= 1000
    await asyncio.sleep(1.1)
    assert await throttle.retry_after("k") == 0
    assert not await redis_client.exists(throttle._key("k"))


async def test_keys_do_not_hold_the_address_in_clear(two, redis_client, redis_prefix):
    await two[0].record_failure("email:ann@example.com")
    keys = [k async for k in redis_client.scan_iter(match=redis_prefix + ":login:*")]
    assert len(keys) == 1 and b"ann" not in keys[0]


async def test_parallel_reservations_on_two_processes_never_exceed_the_limit(two):
    a, b = two
    results = await asyncio.gather(*((a if i % 2 else b).reserve("k") for i in range(20)))
    granted = [ticket for wait, ticket in results if wait == 0]
    assert len(granted) == 3
    assert all(58 <= wait <= 60 for wait, _ in results if wait)
    await b.forgive("k", granted[0])
    assert await a.retry_after("k") == 0


async def test_parallel_wrong_log_ins_through_redis_cannot_slip_past_the_limit(
        app, client, signup):
    await signup("ann@example.com")
    resps = await asyncio.gather(*(client.post("/api/auth/login", json={
        "email": "ann@example.com", "password": f"guess{i}"}) for i in range(20)))
    statuses = [r.status for r in resps]
    limit = app[LOGIN_THROTTLE].max_failures
    assert isinstance(app[LOGIN_THROTTLE], RedisThrottle)
    assert statuses.count(401) == limit and statuses.count(429) == 20 - limit
