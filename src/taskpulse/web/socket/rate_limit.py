"""Per-connection flood limit for client -> server events (a leaky-bucket budget)."""
from __future__ import annotations

import math
import time


class EventBudget:
    """``rate`` events per second on average, bursts of up to ``burst``."""

    __slots__ = ("rate", "burst", "credit", "stamp", "flooding")

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = float(rate)
        self.burst = float(burst if burst is not None else max(rate, 1))
        self.credit = self.burst
        self.stamp = time.monotonic()
        self.flooding = False   # set while refusing, so a flood is logged once

    def take(self, now: float | None = None) -> float:
        """Spend one event: 0 if allowed, else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        self.credit = min(self.burst, self.credit + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.credit >= 1:
            self.credit -= 1
            return 0.0
        return (1 - self.credit) / self.rate

    @staticmethod
    def retry_after(wait: float) -> int:
        return max(1, math.ceil(wait))
