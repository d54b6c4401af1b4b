"""Runs whose process died: marked ``interrupted`` and announced with ``agent_error``.

A ``running`` run belongs to a dead process when that process's heartbeat key is gone. Any
process may notice; the conditional update (``running`` -> ``interrupted``) lets exactly one
of them claim the run and publish its terminal event, numbered after the last event the
dead process published for the run (read back from the user's event log).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from taskpulse.agent.runner import FRIENDLY_ERRORS
from taskpulse.db.models import Run
from taskpulse.delivery.publishing import EventSink, RunEmitter
from taskpulse.protocol.events import AgentError
from taskpulse.delivery.redis_log import RedisEventLog

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)


async def dead_owners(redis: "Redis", beat_key: Callable[[str], str],
                      owners: list[str]) -> set[str]:
    """The process ids among ``owners`` without a heartbeat."""
    if not owners:
        return set()
    async with redis.pipeline(transaction=False) as pipe:
        for owner in owners:
            pipe.exists(beat_key(owner))
        alive = await pipe.execute()
    return {owner for owner, up in zip(owners, alive) if not up}


async def last_seq(event_log: RedisEventLog, user_id: str, run_id: str) -> int:
    """The ``seq`` of the run's newest event still in the log (0 if none)."""
    for event in await event_log.newest_first(user_id):
        if event.data.get("run_id") == run_id:
            seq = event.data.get("seq")
            return seq if isinstance(seq, int) else 0
    return 0


async def announce_interrupted(sink: EventSink, event_log: RedisEventLog,
                               row: dict[str, Any]) -> None:
    user_id, run_id = str(row["owner_id"]), str(row["id"])
    emitter = RunEmitter(sink, user_id, run_id, str(row["conversation_id"]))
    emitter.seq = await last_seq(event_log, user_id, run_id)
    await emitter.emit(AgentError, code="interrupted",
                       message=FRIENDLY_ERRORS["interrupted"])


async def interrupt_orphaned_runs(redis: "Redis", beat_key: Callable[[str], str],
                                  own_process_id: str, sink: EventSink,
                                  event_log: RedisEventLog,
                                  confirm: Callable[[set[str]], set[str]] = lambda s: s) -> int:
    """Claim and announce the runs of dead processes (those ``confirm`` keeps of the owners
    without a heartbeat); returns how many this call claimed."""
    rows = await Run.filter(status="running").exclude(process_id=own_process_id).values(
        "id", "process_id", "owner_id", "conversation_id")
    dead = confirm(await dead_owners(redis, beat_key, sorted({r["process_id"] for r in rows})))
    claimed = 0
    for row in rows:
        if row["process_id"] not in dead:
            continue
        won = await Run.filter(id=row["id"], status="running").update(
            status="interrupted", error="interrupted", finished_at=datetime.now(timezone.utc))
        if not won:
            continue            # another process claimed it first
        claimed += 1
        log.warning("run %s: process %s is gone; marked interrupted", row["id"],
                    row["process_id"] or "(unknown)")
        await announce_interrupted(sink, event_log, row)
    return claimed
