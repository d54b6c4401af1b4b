"""Runs whose process died: marked ``interrupted`` and announced with ``agent_error``.

A ``running`` run belongs to a dead process when that process's heartbeat key is gone. Any
process may notice; the conditional update (``running`` -> ``interrupted``) lets exactly one
of them claim the run and publish its terminal events, numbered after the last event the
dead process published for the run (read back from the user's event log). A tool step the
dead process started and never ended ends first, with ``tool_error`` ``interrupted`` and its
audit row (``tool_call``, ``ok`` false), saying how far it got (its last progress). The
claim, the audit rows and the events (in the outbox) commit together: a claimer that dies
in turn leaves its events to the outbox sweep.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from taskpulse.agent.run_endings import FRIENDLY_ERRORS
from taskpulse.db.models import Run
from taskpulse.db.run_writes import CutStep, claim_orphan
from taskpulse.delivery.event_log import LoggedEvent
from taskpulse.delivery.outbox import Outbox, told
from taskpulse.delivery.publishing import RunEmitter
from taskpulse.delivery.redis_log import RedisEventLog
from taskpulse.processes import gone_here
from taskpulse.protocol.events import (TOOL_TERMINAL, AgentError, StreamEvent, ToolError,
                                       ToolProgress, ToolStarting)

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


def cut_step(step: OpenStep) -> CutStep:
    message = "Interrupted: the server running it stopped" + (
        f" (last: {step.progress})" if step.progress else "") + "."
    return CutStep(step.call_id, step.tool, step.arguments, message)


async def claim_and_announce(outbox: Outbox, event_log: RedisEventLog,
                             row: dict[str, Any]) -> bool:
    """Claim a dead process's run: in one transaction mark it interrupted, end its open
    steps (audit rows) and add their ``tool_error`` and the run's ``agent_error`` to the
    outbox, numbered after the run's last published event; then publish them. False when
    another process claimed it first."""
    user_id, run_id = str(row["owner_id"]), str(row["id"])
    emitter = RunEmitter(outbox.sink, user_id, run_id, str(row["conversation_id"]))
    emitter.seq, steps = run_so_far(await event_log.newest_first(user_id), run_id)
    cut = [cut_step(step) for step in steps]
    events: list[StreamEvent] = [
        emitter.build(ToolError, tool=c.tool, call_id=c.call_id, message=c.message,
                      error="interrupted") for c in cut]
    events.append(emitter.build(AgentError, code="interrupted",
                                message=FRIENDLY_ERRORS["interrupted"]))
    row_ids = await claim_orphan(run_id, user_id, outbox.process_id, cut,
                                 [told(event) for event in events])
    if row_ids is None:
        return False
    log.warning("run %s: process %s is gone; marked interrupted", run_id,
                row["process_id"] or "(unknown)")
    await outbox.deliver(outbox.pending(row_ids, user_id, events))
    return True


async def interrupt_orphaned_runs(redis: "Redis", beat_key: Callable[[str], str],
                                  outbox: Outbox, event_log: RedisEventLog,
                                  confirm: Callable[[set[str]], set[str]] = lambda s: s) -> int:
    """Claim and announce the runs of dead processes: a process of this host that is not
    running (known at once), or one whose heartbeat ``confirm`` says stayed missing long
    enough; returns how many this call claimed."""
    rows = await Run.filter(status="running").exclude(process_id=outbox.process_id).values(
        "id", "process_id", "owner_id", "conversation_id")
    owners = {r["process_id"] for r in rows}
    here = {owner for owner in owners if gone_here(owner)}
    dead = here | confirm(await dead_owners(redis, beat_key, sorted(owners - here)))
    claimed = 0
    for row in rows:
        if row["process_id"] in dead and await claim_and_announce(outbox, event_log, row):
            claimed += 1
    return claimed
