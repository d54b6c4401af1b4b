"""Runs that a crash left ``running`` are marked ``interrupted`` when a server starts.

A run records the process that executes it (``host:pid:instance``). At start-up, a
``running`` run is stale when its process is on this host and is either this process
(an earlier app instance) or no longer alive, or when it is older than any run can last.
"""
from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta, timezone

from taskpulse.db.models import Run
from taskpulse.processes import new_process_id, pid_alive

__all__ = ["new_process_id", "is_stale", "mark_interrupted_runs"]

log = logging.getLogger(__name__)


def is_stale(run: Run, now: datetime, max_age: timedelta) -> bool:
    if run.started_at < now - max_age:
        return True
    host, _, rest = run.process_id.partition(":")
    pid_text = rest.split(":", 1)[0]
    if not pid_text.isdigit():
        return True
    if host != socket.gethostname():
        return False
    pid = int(pid_text)
    return pid == os.getpid() or not pid_alive(pid)


async def mark_interrupted_runs(max_run_seconds: float) -> int:
    """Mark stale ``running`` runs as ``interrupted``; returns how many."""
    now = datetime.now(timezone.utc)
    max_age = timedelta(seconds=max_run_seconds + 60)
    stale = [r.id for r in await Run.filter(status="running") if is_stale(r, now, max_age)]
    if stale:
        await Run.filter(id__in=stale).update(status="interrupted", error="interrupted",
                                              finished_at=now)
        log.warning("marked %d unfinished agent run(s) as interrupted", len(stale))
    return len(stale)
