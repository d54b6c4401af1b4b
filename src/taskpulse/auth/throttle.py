"""Failed-login throttling: a sliding window of failures per key (email, client address)."""
from __future__ import annotations

import math
import time
from collections import deque
from typing import Protocol


class Throttle(Protocol):
    async def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again; 0 when it may try now."""

    async def record_failure(self, key: str) -> None: ...

    async def reset(self, key: str) -> None: ...


class MemoryThrottle:
    """In-process throttle; one process only (the Redis one is shared)."""

    def __init__(self, max_failures: int, window_seconds: int) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.get(key)
        if q is None:
            return deque()
        while q and q[0] <= now - self.window:
            q.popleft()
        if not q:
            del self._failures[key]
        return q

    async def retry_after(self, key: str) -> int:
        now = time.monotonic()
        q = self._recent(key, now)
        if len(q) < self.max_failures:
            return 0
        return max(1, math.ceil(q[0] + self.window - now))

    async def record_failure(self, key: str) -> None:
        now = time.monotonic()
        self._recent(key, now)
        self._failures.setdefault(key, deque()).append(now)

    async def reset(self, key: str) -> None:
        self._failures.pop(key, None)
