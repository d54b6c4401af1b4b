"""Which server process is which, and which are gone, as far as this host can tell.

A process id is ``host:pid:instance`` (the instance tells apart several apps one process
runs, as the test suite does). Runs and outbox rows record the process that owns them.
"""
from __future__ import annotations

import os
import socket
import uuid

HOST = socket.gethostname()
_live_instances: set[str] = set()     # the process ids of this process's running apps


def new_process_id() -> str:
    return f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # exists, owned by someone else
        return True
    return True


def started(process_id: str) -> None:
    """An app of this process runs under ``process_id`` (until :func:`stopped`)."""
    _live_instances.add(process_id)


def stopped(process_id: str) -> None:
    _live_instances.discard(process_id)


def gone_here(process_id: str) -> bool:
    """Whether ``process_id`` names a process of this host that is gone, or an app of this
    process that is not running. ``False`` for other hosts: this host cannot tell."""
    host, _, rest = process_id.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != HOST or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return process_id not in _live_instances
    return not pid_alive(pid)


async def gone_of(process_ids: set[str]) -> set[str]:
    """The process ids among ``process_ids`` that are gone (one process, no Redis)."""
    return {p for p in process_ids if gone_here(p)}
