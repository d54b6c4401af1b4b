"""Failed-login throttling: a sliding window of failures per key (email, client address)."""
from __future__ import annotations

import math
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Protocol


class Throttle(Protocol):
    async def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again; 0 when it may try now."""

    async def record_failure(self, key: str) -> None: ...

    async def reserve(self, key: str) -> tuple[int, str]:
        """Count an attempt before it is checked, in one step with the limit check, so
        parallel attempts cannot all pass: ``(0, ticket)`` when ``key`` may try (the attempt
        counts as a failure unless forgiven), ``(seconds to wait, "")`` when it may not."""

    async def forgive(self, key: str, ticket: str) -> None:
        """Uncount a reserved attempt that turned out not to be a failure."""

    async def reset(self, key: str) -> None: ...


class MemoryThrottle:
    """In-process throttle; one process only (the Redis one is shared).

    After ``max_failures`` failures within ``window_seconds`` a key must wait until the
    oldest of them leaves the window. Keys with no recent failure are forgotten, so a flood
    of made-up emails cannot grow memory without bound.
    """

    SWEEP_EVERY = 1024   # forget stale keys after this many new keys

    def __init__(self, max_failures: int, window_seconds: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[tuple[float, str]]] = {}   # (time, ticket)
        self._new_keys = 0

    def __len__(self) -> int:
        return len(self._failures)

    def _recent(self, key: str, now: float) -> deque[tuple[float, str]]:
        q = self._failures.get(key)
        if q is None:
            return deque()
        while q and q[0][0] <= now - self.window:
            q.popleft()
        if not q:
            del self._failures[key]
        return q

    def _sweep(self, now: float) -> None:
        for key in [k for k, q in self._failures.items() if q[-1][0] <= now - self.window]:
            del self._failures[key]

    async def retry_after(self, key: str) -> int:
        now = self._clock()
        q = self._recent(key, now)
        if len(q) < self.max_failures:
            return 0
        return max(1, math.ceil(q[-self.max_failures][0] + self.window - now))

    async def record_failure(self, key: str) -> None:
        self._add(key, uuid.uuid4().hex)

    async def reserve(self, key: str) -> tuple[int, str]:
        wait = await self.retry_after(key)     # no await inside: check and count are one step
        if wait:
            return wait, ""
        ticket = uuid.uuid4().hex
        self._add(key, ticket)
        return 0, ticket

    async def forgive(self, key: str, ticket: str) -> None:
        q = self._failures.get(key)
        if q is None:
            return
        for entry in q:
            if entry[1] == ticket:
                q.remove(entry)
                break
        if not q:
            del self._failures[key]

    def _add(self, key: str, ticket: str) -> None:
        now = self._clock()
        self._recent(key, now)
        if key not in self._failures:
            self._new_keys += 1
            if self._new_keys >= self.SWEEP_EVERY:
                self._new_keys = 0
                self._sweep(now)
        q = self._failures.setdefault(key, deque())
        q.append((now, ticket))
        while len(q) > self.max_failures:   # older failures no longer matter
            q.popleft()

    async def reset(self, key: str) -> None:
        self._failures.pop(key, None)
