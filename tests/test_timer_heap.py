"""Many timers on one loop timer (src/taskpulse/timer_heap.py)."""
from __future__ import annotations

import asyncio
from typing import Any

from taskpulse.timer_heap import TimerHeap


async def test_timer_heap_runs_due_callbacks_in_time_order_and_skips_cancelled() -> None:
    timers = TimerHeap()
    fired: list[int] = []
    entries = [timers.call_later(0.01 * (5 - i), fired.append, i) for i in range(5)]
    timers.cancel(entries[2])
    timers.cancel(entries[2])          # twice is harmless
    await asyncio.sleep(0.15)
    assert fired == [4, 3, 1, 0]
    assert len(timers) == 0
    timers.cancel(entries[0])          # after it ran: a no-op
    assert len(timers) == 0


async def test_timer_heap_keeps_going_after_a_failing_callback() -> None:
    timers = TimerHeap()
    fired: list[str] = []

    def boom(_: Any) -> None:
        raise RuntimeError("boom")

    timers.call_later(0.0, boom, None)
    timers.call_later(0.01, fired.append, "later")
    await asyncio.sleep(0.1)
    assert fired == ["later"]


async def test_timer_heap_drops_cancelled_entries_once_they_are_half_of_it() -> None:
    timers = TimerHeap()
    entries = [timers.call_later(3600, print, i) for i in range(200)]
    for entry in entries[:150]:
        timers.cancel(entry)
    assert len(timers) == 50
    assert len(timers._heap) < 200      # rebuilt, not left to expire in an hour
    timers.close()
