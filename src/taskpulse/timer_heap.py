"""Many timers on one event-loop timer (a uvloop timer alone is ~600 bytes).

Used for per-connection timers that would otherwise each need a loop timer or a sleeping
task: Engine.IO pings (``internals.idle_memory``) and token expiry (``web.socket``).
"""
from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# A scheduled call: [when (loop time), sequence, callback or None once cancelled, argument].
Entry = list[Any]


class TimerHeap:
    """Many timers on one event-loop timer, for callbacks that are cheap and synchronous.

    ``call_later`` returns an entry to pass to ``cancel``; cancelled entries are dropped
    when they reach the top of the heap, or all at once when they are half of it."""

    def __init__(self) -> None:
        self._heap: list[Entry] = []
        self._seq = itertools.count()
        self._handle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._cancelled = 0

    def __len__(self) -> int:
        return len(self._heap) - self._cancelled

    def call_later(self, delay: float, callback: Callable[[Any], None], arg: Any) -> Entry:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:   # a new loop (tests): the old one's timers are gone
            self.close()
            self._loop = loop
        entry: Entry = [loop.time() + max(0.0, delay), next(self._seq), callback, arg]
        heapq.heappush(self._heap, entry)
        if self._heap[0] is entry:
            self._arm()
        return entry

    def cancel(self, entry: Entry) -> None:
        if entry[2] is None:
            return
        entry[2] = entry[3] = None
        self._cancelled += 1
        if self._cancelled > 64 and self._cancelled * 2 > len(self._heap):
            self._heap = [e for e in self._heap if e[2] is not None]
            heapq.heapify(self._heap)
            self._cancelled = 0

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle = None
        for entry in self._heap:
            entry[2] = entry[3] = None
        self._heap.clear()
        self._cancelled = 0

    def _arm(self) -> None:
        assert self._loop is not None
        if self._handle is not None:
            self._handle.cancel()
        self._handle = self._loop.call_at(self._heap[0][0], self._run)

    def _run(self) -> None:
        assert self._loop is not None
        self._handle = None
        heap = self._heap
        now = self._loop.time() + 0.001   # libuv timers have millisecond resolution
        while heap and heap[0][0] <= now:
            entry = heapq.heappop(heap)
            callback, arg = entry[2], entry[3]
            if callback is None:
                self._cancelled -= 1
                continue
            entry[2] = entry[3] = None   # done: a later cancel() is a no-op
            try:
                callback(arg)
            except Exception:
                log.exception("timer callback %r failed", callback)
        if heap:
            self._arm()
