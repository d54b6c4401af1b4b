"""Whether this process may publish several events as one channel message.

Versions before batched messages drop a batch without a word, so during a rolling upgrade
a process batches only while every subscriber of the channel has registered as a reader
of batches: a sorted set of process ids, each scored with the time (ms) its registration
lapses, refreshed every ``interval`` seconds and compared with ``PUBSUB NUMSUB``.
"""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from taskpulse.delivery.redis_log import RedisEventLog

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)


def readers_key(prefix: str) -> str:
    """Processes that read several events in one channel message: a sorted set of process
    ids, each scored with the time (ms) its registration lapses."""
    return f"{prefix}:batch-readers"


async def all_read_batches(redis: "Redis", prefix: str, process_id: str, channel: str,
                           ttl_seconds: float, subscribed_here: bool) -> bool:
    """Register this process as a reader of batched messages for ``ttl_seconds``; True
    when every other process subscribed to ``channel`` is a reader too (versions before
    batches never register, and would drop a batch without a word). ``subscribed_here``:
    is this process's own subscription among the channel's subscribers yet?"""
    now = int(time.time() * 1000)
    ttl = int(ttl_seconds * 1000)
    key = readers_key(prefix)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zadd(key, {process_id: now + ttl})
        pipe.zremrangebyscore(key, "-inf", now)
        pipe.pexpire(key, ttl)
        pipe.zcard(key)
        pipe.pubsub_numsub(channel)
        *_, readers, subscribed = await pipe.execute()
    subscribers = int(subscribed[0][1]) if subscribed else 0
    return int(readers) - 1 >= subscribers - (1 if subscribed_here else 0)


async def forget_reader(redis: "Redis", prefix: str, process_id: str) -> None:
    await redis.zrem(readers_key(prefix), process_id)


class BatchReaders:
    """Keeps this process registered as a reader and the log's ``batch_messages`` true
    only while every process on the channel reads batches."""

    def __init__(self, redis: "Redis", prefix: str, channel: str, event_log: RedisEventLog,
                 subscribed: Callable[[], bool], interval: float) -> None:
        self.redis, self.prefix, self.channel = redis, prefix, channel
        self.event_log = event_log
        self.subscribed = subscribed       # is this process's own subscription up yet?
        self.interval = interval
        self.process_id = uuid.uuid4().hex
        self._task: asyncio.Task[None] | None = None

    async def refresh(self) -> None:
        self.event_log.batch_messages = await all_read_batches(
            self.redis, self.prefix, self.process_id, self.channel, self.interval * 3,
            self.subscribed())

    async def _keep_refreshing(self) -> None:
        while True:
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception as exc:    # Redis away: events go one per message meanwhile
                log.warning("batch reader check failed: %s", exc)
                self.event_log.batch_messages = False
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._keep_refreshing())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        try:
            await forget_reader(self.redis, self.prefix, self.process_id)
        except Exception as exc:
            log.warning("could not unregister as a batch reader: %s", exc)
