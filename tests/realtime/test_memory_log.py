"""The in-process event log and publisher keep no state for users who have gone idle."""
from __future__ import annotations

import gc

import socketio

from taskpulse.realtime.emitter import Publisher
from taskpulse.realtime.eventlog import MemoryEventLog


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


async def test_the_publisher_keeps_no_lock_for_users_it_is_not_publishing_to():
    publisher = Publisher(socketio.AsyncServer(async_mode="aiohttp"), MemoryEventLog())
    task = {"id": "t", "title": "a", "description": "", "due_date": None, "priority": "low",
            "completed": False, "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z"}
    for n in range(200):
        assert await publisher.publish(f"user-{n}", "task_created", {"task": task})
    gc.collect()
    assert len(publisher._locks) == 0


async def test_kept_events_cost_the_garbage_collector_nothing_and_replay_equal() -> None:
    log = MemoryEventLog(max_events=100)
    sent = [await log.append("u", "task_updated", {"task": {"id": str(n), "tags": [n, "x"]},
                                                   "ok": True, "n": None})
            for n in range(20)]
    gc.collect()    # tuples of atoms are untracked by the first collection that sees them
    stored = log._streams["u"].events
    assert len(stored) == 20 and not any(gc.is_tracked(e) for e in stored)
    again = await log.since("u", sent[4].id)
    assert again is not None
    assert [(e.id, e.name, e.data) for e in again] == [(e.id, e.name, e.data) for e in sent[5:]]
