"""The benchmark event: same shape and size as ``benchmarks/node/common.js``."""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

EVENT = "task_created"


_second: list[Any] = [-1, ""]    # the last whole second and its "YYYY-MM-DDTHH:MM:SS"


def iso(ms: float) -> str:
    """``ms`` (epoch) as ISO 8601 UTC with milliseconds, like JavaScript's ``toISOString``;
    the date part is formatted once per second (this runs in the server for every event,
    and Node's native formatting costs next to nothing)."""
    sec, frac = divmod(int(ms), 1000)
    if sec != _second[0]:
        _second[1] = datetime.fromtimestamp(sec, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        _second[0] = sec
    return f"{_second[1]}.{frac:03d}Z"


def send_time() -> float:
    """The send time ``t`` in ms on CLOCK_MONOTONIC, which every process of the machine
    shares (the load generator reads the same clock, ``process.hrtime``): wall clocks are
    adjusted while a run goes on, and a step between two processes' readings would show up
    as latency, or as negative latency."""
    return time.monotonic_ns() / 1e6


def event_body(user_id: str, n: int) -> dict[str, Any]:
    """What Taskpulse is asked to publish (its publisher adds ``id`` and ``ts``)."""
    stamp = iso(time.time() * 1000)
    return {
        "seq": n,
        "t": send_time(),
        "task": {
            "id": f"00000000-0000-4000-8000-{n:012d}",
            "title": f"Benchmark task {n} for {user_id}",
            "description": "Bring the quarterly report to the planning meeting",
            "due_date": None,
            "priority": "medium",
            "completed": False,
            "created_at": stamp,
            "updated_at": stamp,
        },
    }


def make_event(user_id: str, n: int) -> dict[str, Any]:
    """The full event for the peers that have no event log of their own."""
    body = event_body(user_id, n)
    return {"id": f"{int(body['t'])}-{n}", "ts": body["task"]["created_at"], **body}
