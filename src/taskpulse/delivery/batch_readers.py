"""What this process may publish on the channel: the ``message_format`` of the event log.

Versions before batched messages drop a batch without a word, and versions before packet
messages drop those, so during a rolling upgrade a process publishes a format only while
every subscriber of the channel has registered as a reader of it: per format a sorted set
of process ids, each scored with the time (ms) its registration lapses, refreshed every
``interval`` seconds and compared with ``PUBSUB NUMSUB``.
"""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from taskpulse.delivery.redis_log import ARRAYS, PACKETS, SINGLE, RedisEventLog

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)


def readers_key(prefix: str) -> str:
    """Processes that read several events in one channel message (a JSON array): a sorted
    set of process ids, each scored with the time (ms) its registration lapses."""
    return f"{prefix}:batch-readers"


def packet_readers_key(prefix: str) -> str:
    """Processes that read packet messages too (``redis_log.PACKETS``); the same shape."""
    return f"{prefix}:packet-readers"


async def reader_format(redis: "Redis", prefix: str, process_id: str, channel: str,
                        ttl_seconds: float, subscribed_here: bool) -> int:
    """Register this process as a reader of both kinds of messages for ``ttl_seconds``;
    the richest format every other process subscribed to ``channel`` reads (versions
    before a format never register for it). ``subscribed_here``: is this process's own
    subscription among the channel's subscribers yet?"""
    now = int(time.time() * 1000)
    ttl = int(ttl_seconds * 1000)
    keys = (packet_readers_key(prefix), readers_key(prefix))
    async with redis.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.zadd(key, {process_id: now + ttl})
            pipe.zremrangebyscore(key, "-inf", now)
            pipe.pexpire(key, ttl)
        for key in keys:
            pipe.zcard(key)
        pipe.pubsub_numsub(channel)
        *_, packet_readers, readers, subscribed = await pipe.execute()
    others = (int(subscribed[0][1]) if subscribed else 0) - (1 if subscribed_here else 0)
    if int(packet_readers) - 1 >= others:
        return PACKETS
    return ARRAYS if int(readers) - 1 >= others else SINGLE


async def all_read_batches(redis: "Redis", prefix: str, process_id: str, channel: str,
                           ttl_seconds: float, subscribed_here: bool) -> bool:
    """Does every other process on ``channel`` read batched messages (registering this
    one, see :func:`reader_format`)?"""
    return await reader_format(redis, prefix, process_id, channel, ttl_seconds,
                               subscribed_here) >= ARRAYS


async def forget_reader(redis: "Redis", prefix: str, process_id: str) -> None:
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zrem(readers_key(prefix), process_id)
        pipe.zrem(packet_readers_key(prefix), process_id)
        await pipe.execute()


class BatchReaders:
    """Keeps this process registered as a reader and the log's ``message_format`` to what
    every process on the channel reads."""

    def __init__(self, redis: "Redis", prefix: str, channel: str, event_log: RedisEventLog,
                 subscribed: Callable[[], bool], interval: float) -> None:
        self.redis, self.prefix, self.channel = redis, prefix, channel
        self.event_log = event_log
        self.subscribed = subscribed       # is this process's own subscription up yet?
        self.interval = interval
        self.process_id = uuid.uuid4().hex
        self._task: asyncio.Task[None] | None = None

    async def refresh(self) -> None:
        self.event_log.message_format = await reader_format(
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
                self.event_log.message_format = SINGLE
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
