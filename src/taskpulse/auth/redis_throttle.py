"""Failed-login throttling shared by every process: the sliding window of
:class:`~taskpulse.auth.throttle.MemoryThrottle`, kept in Redis.

Each key is a sorted set of failure times (Redis's clock, so machines need not agree)
holding at most ``max_failures`` entries and expiring with the window. Keys are hashed:
e-mail addresses and client addresses are not stored in Redis as they are.
"""
from __future__ import annotations

import hashlib
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redis.asyncio import Redis

# KEYS[1] the set; ARGV: window ms, max failures, [member, ["reserve"]]. With a member, it
# is added (a failure); with "reserve" too, only when under the limit, in the same atomic
# step as the check. Returns ms to wait (0: may try).
_CHECK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window, max = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local reserve = ARGV[4] == 'reserve'
if ARGV[3] and (not reserve or redis.call('ZCARD', KEYS[1]) < max) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(max + 1))
  redis.call('PEXPIRE', KEYS[1], window)
  if reserve then return 0 end
end
if redis.call('ZCARD', KEYS[1]) < max then return 0 end
local oldest = redis.call('ZRANGE', KEYS[1], -max, -max, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
"""


class RedisThrottle:
    """:class:`~taskpulse.auth.throttle.Throttle` for several processes."""

    def __init__(self, redis: "Redis", prefix: str, max_failures: int,
                 window_seconds: int) -> None:
        self.redis = redis
        self.prefix = prefix
        self.max_failures = max_failures
        self.window_ms = int(window_seconds * 1000)
        self._check = redis.register_script(_CHECK)

    def _key(self, key: str) -> str:
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        return f"{self.prefix}:login:{digest}"

    async def retry_after(self, key: str) -> int:
        wait_ms = int(await self._check(keys=[self._key(key)],
                                        args=[self.window_ms, self.max_failures]))
        return -(-wait_ms // 1000)     # whole seconds, rounded up

    async def record_failure(self, key: str) -> None:
        await self._check(keys=[self._key(key)],
                          args=[self.window_ms, self.max_failures, uuid.uuid4().hex])

    async def reserve(self, key: str) -> tuple[int, str]:
        ticket = uuid.uuid4().hex
        wait_ms = int(await self._check(keys=[self._key(key)],
                                        args=[self.window_ms, self.max_failures, ticket,
                                              "reserve"]))
        return (-(-wait_ms // 1000), "") if wait_ms else (0, ticket)

    async def forgive(self, key: str, ticket: str) -> None:
        await self.redis.zrem(self._key(key), ticket)

    async def reset(self, key: str) -> None:
        await self.redis.delete(self._key(key))
