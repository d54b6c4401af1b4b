"""Per-connection flood limit for client -> server events: a token bucket."""
from __future__ import annotations

import math
import time


class TokenBucket:
    """``rate`` events per second on average, bursts of up to ``burst``."""

    __slots__ = ("rate", "burst", "tokens", "stamp", "flooding")

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = float(rate)
        self.burst = float(burst if burst is not None else max(rate, 1))
        self.tokens = self.burst
        self.stamp = time.monotonic()
        self.flooding = False   # set while refusing, so a flood is logged once

    def take(self, now: float | None = None) -> float:
        """Spend one token: 0 if allowed, else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate

    @staticmethod
    def retry_after(wait: float) -> int:
        return max(1, math.ceil(wait))
