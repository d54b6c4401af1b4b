"""Which processes are dead, from their heartbeat keys: a key must stay missing for
:data:`CONFIRM_BEATS` beats in a row.

A Redis restart without persistence (or a hang that outlasts the keys' TTL) loses every
heartbeat at once; a living process writes its own again within a beat, a dead one never
does. Observations interrupted for longer than two beats (this process could not look,
say Redis hung) start over. Each user of the answer keeps its own watch: what it is asked
about differs (the owners of running runs, the owners of outbox rows).
"""
from __future__ import annotations

import time

CONFIRM_BEATS = 1.5


class HeartbeatWatch:
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._missing_since: dict[str, float] = {}   # owner -> first seen without heartbeat
        self._last_look: float | None = None

    def confirm(self, missing: set[str], now: float | None = None) -> set[str]:
        """The owners among ``missing`` (no heartbeat key now) seen missing long enough."""
        now = time.monotonic() if now is None else now
        if self._last_look is not None and now - self._last_look > 2 * self.interval:
            self._missing_since.clear()
        self._last_look = now
        for owner in [o for o in self._missing_since if o not in missing]:
            del self._missing_since[owner]
        for owner in missing:
            self._missing_since.setdefault(owner, now)
        return {o for o in missing
                if now - self._missing_since[o] >= CONFIRM_BEATS * self.interval}
