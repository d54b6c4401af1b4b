"""Opening streams in the Redis log: connections opening together are read in one script
call, each with the answer it would get alone, and a read never misses an event appended
before its connection asked."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

from taskpulse.delivery.redis_log import RedisEventLog

pytestmark = pytest.mark.redis


@pytest.fixture
async def event_log(redis_url: str, redis_prefix: str) -> Any:
    import redis.asyncio as aioredis

    log = RedisEventLog(aioredis.from_url(redis_url), redis_prefix)
    yield log
    await log.close()


def counted_reads(log: RedisEventLog) -> list[list[str]]:
    """The streams of each opening script call."""
    calls: list[list[str]] = []
    read = log._since_many

    async def counted(keys: list[str], args: list[str]) -> Any:
        calls.append(list(keys))
        return await read(keys=keys, args=args)

    log._since_many = counted    # type: ignore[method-assign]
    return calls


async def append(log: RedisEventLog, user: str, n: int) -> list[str]:
    return [(await log.append(user, "task_created", {"id": "", "n": i})).id for i in range(n)]


async def test_openings_asked_together_are_answered_as_alone_in_few_calls(event_log) -> None:
    short = await append(event_log, "short", 3)
    long = await append(event_log, "long", 9)
    asks = [("short", None), ("short", short[0]), ("short", short[-1]), ("nobody", None),
            ("nobody", "1-0"), ("long", long[0]), ("long", long[-3]), ("short", "9-9"),
            ("short", "garbage")]
    alone = [await event_log.opening(user, last) for user, last in asks]
    calls = counted_reads(event_log)
    together = await asyncio.gather(*(event_log.opening(u, last) for u, last in asks))
    assert together == alone
    assert [(newest, None if missed is None else [e.id for e in missed])
            for newest, missed in together[:7]] == [
        (short[-1], []), (short[-1], short[1:]), (short[-1], []), (None, []), (None, None),
        (long[-1], long[1:]), (long[-1], long[-2:])]
    assert len(calls) <= 2 and sum(map(len, calls)) <= len(asks)


async def test_tabs_of_a_user_opening_from_the_same_event_share_one_read(event_log) -> None:
    ids = await append(event_log, "u1", 2)
    calls = counted_reads(event_log)
    answers = await asyncio.gather(*(event_log.opening("u1", ids[0]) for _ in range(5)))
    assert {(newest, tuple(e.id for e in missed)) for newest, missed in answers} == {
        (ids[1], (ids[1],))}
    assert calls == [[event_log.key("u1")]]


async def test_an_opening_asked_during_a_read_sees_events_appended_before_it(
        event_log) -> None:
    first = await append(event_log, "u1", 1)
    held, release = [], asyncio.Event()
    read = event_log._since_many

    async def slow_first(keys: list[str], args: list[str]) -> Any:
        held.append(keys)
        if len(held) == 1:
            answer = await read(keys=keys, args=args)
            await release.wait()       # the read is done, its answer not yet given
            return answer
        return await read(keys=keys, args=args)

    event_log._since_many = slow_first    # type: ignore[method-assign]
    early = asyncio.ensure_future(event_log.opening("u1", first[0]))
    while not held:
        await asyncio.sleep(0)
    later = await append(event_log, "u1", 1)          # after the first read
    late = asyncio.ensure_future(event_log.opening("u1", first[0]))
    await asyncio.sleep(0)
    release.set()
    assert (await early)[1] == []                      # read before the append
    newest, missed = await late
    assert newest == later[0] and [e.id for e in missed] == later   # not the early answer
