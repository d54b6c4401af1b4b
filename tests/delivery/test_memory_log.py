"""The in-process event log keeps no state for users who have gone idle."""
from __future__ import annotations

import gc

from taskpulse.delivery.event_log import MemoryEventLog


async def test_an_idle_users_stream_is_dropped_and_their_old_id_needs_a_resync():
    clock = {"now": 1000.0}
    log = MemoryEventLog(max_events=10, max_age_seconds=60, ttl_seconds=100,
                         clock=lambda: clock["now"])
    idle = await log.append("idle", "task_created", {})
    clock["now"] += 50
    await log.append("busy", "task_created", {})
    assert await log.since("idle", idle.id) == []          # still kept
    clock["now"] += 60                                      # idle for 110 s > ttl
    await log.append("busy", "task_created", {})
    assert await log.since("idle", idle.id) is None         # gone: the client resyncs
    assert await log.last_id("idle") is None
    assert await log.last_id("busy") is not None


async def test_kept_events_cost_the_garbage_collector_nothing_and_replay_equal() -> None:
    log = MemoryEventLog(max_events=2000)
    first = await log.append("u", "task_updated", {"n": -1})
    gc.collect()
    gc.disable()
    try:   # what keeping them leaves for the collector to count (and later walk)
        before = gc.get_count()[0]
        for n in range(1000):
            await log.append("u", "task_updated", {"task": {"id": str(n), "tags": [n, "x"]},
                                                   "ok": True, "n": None})
        kept = gc.get_count()[0] - before
    finally:
        gc.enable()
    assert kept < 50      # not one tracked object per event (as dicts: 3 each, tuples: 1)
    again = await log.since("u", first.id)
    assert again is not None and len(again) == 1000
    assert [(e.name, e.data) for e in again[:2]] == [
        ("task_updated", {"task": {"id": "0", "tags": [0, "x"]}, "ok": True, "n": None,
                          "id": again[0].id}),
        ("task_updated", {"task": {"id": "1", "tags": [1, "x"]}, "ok": True, "n": None,
                          "id": again[1].id})]
