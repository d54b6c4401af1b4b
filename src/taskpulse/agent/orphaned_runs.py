"""Runs whose process died: marked ``interrupted`` and announced with ``agent_error``.

A ``running`` run belongs to a dead process when that process's heartbeat key is gone. Any
process may notice; the conditional update (``running`` -> ``interrupted``) lets exactly one
of them claim the run and publish its terminal events, numbered after the last event the
dead process published for the run (read back from the user's event log). A tool step the
dead process started and never ended ends first, with ``tool_error`` ``interrupted`` and its
audit row (``tool_call``, ``ok`` false), saying how far it got (its last progress).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from taskpulse.agent.runner import FRIENDLY_ERRORS
from taskpulse.db.models import Run
from taskpulse.db.run_writes import add_tool_call
from taskpulse.delivery.event_log import LoggedEvent
from taskpulse.delivery.publishing import EventSink, RunEmitter
from taskpulse.delivery.redis_log import RedisEventLog
from taskpulse.protocol.events import (TOOL_TERMINAL, AgentError, ToolError, ToolProgress,
                                       ToolStarting)

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


@dataclass
class OpenStep:
    """A tool step the run started and did not end."""
    call_id: str
    tool: str
    arguments: dict[str, Any]
    progress: str = ""          # its last progress message


def run_so_far(events_newest_first: list[LoggedEvent],
               run_id: str) -> tuple[int, list[OpenStep]]:
    """The ``seq`` of the run's newest event in the log (0 if none) and its open steps."""
    seq, steps, ended = 0, {}, set()
    for event in reversed(events_newest_first):
        data = event.data
        if data.get("run_id") != run_id:
            continue
        seq = data["seq"] if isinstance(data.get("seq"), int) else seq
        call_id = str(data.get("call_id", ""))
        if event.name == ToolStarting.name:
            steps[call_id] = OpenStep(call_id, str(data.get("tool", "")),
                                      dict(data.get("arguments") or {}))
        elif event.name == ToolProgress.name and call_id in steps:
            steps[call_id].progress = str(data.get("message", ""))
        elif event.name in TOOL_TERMINAL:
            ended.add(call_id)
    return seq, [step for call_id, step in steps.items() if call_id not in ended]


async def end_open_step(emitter: RunEmitter, step: OpenStep) -> None:
    message = "Interrupted: the server running it stopped" + (
        f" (last: {step.progress})" if step.progress else "") + "."
    await add_tool_call(emitter.run_id, step.call_id, step.tool, step.arguments, False,
                        message, "interrupted", None, 0.0)
    await emitter.emit(ToolError, tool=step.tool, call_id=step.call_id, message=message,
                       error="interrupted")


async def announce_interrupted(sink: EventSink, event_log: RedisEventLog,
                               row: dict[str, Any]) -> None:
    user_id, run_id = str(row["owner_id"]), str(row["id"])
    emitter = RunEmitter(sink, user_id, run_id, str(row["conversation_id"]))
    emitter.seq, steps = run_so_far(await event_log.newest_first(user_id), run_id)
    for step in steps:
        await end_open_step(emitter, step)
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
