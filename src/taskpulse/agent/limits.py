"""Chat limits per user: messages per minute (rolling) and per day (UTC calendar day).

Only the user's own messages count (assistant replies do not). The check runs under the
user's lock together with saving the new message, so a burst cannot slip past it; the
database is asked together with the conversation checks (``db.sql.common.CHAT_CHECKS``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from taskpulse.agent.api import ChatError


def _wait(seconds: float) -> int:
    return max(1, math.ceil(seconds))


@dataclass(frozen=True)
class ChatLimits:
    """The per-minute and per-day limits at one moment. :meth:`params` are what the
    database is asked (see ``CHAT_CHECKS``); :meth:`check` judges its answer."""
    per_minute: int
    per_day: int
    now: datetime

    @property
    def midnight(self) -> datetime:
        return datetime.combine(self.now.date(), time(), tzinfo=timezone.utc)

    def params(self) -> tuple[datetime, int, datetime, int]:
        """(since, offset) of the n-th newest message for the day, then the minute."""
        return (self.midnight, max(0, self.per_day - 1),
                self.now - timedelta(minutes=1), max(0, self.per_minute - 1))

    def check(self, day_nth: datetime | None, minute_nth: datetime | None) -> None:
        """Raise ``ChatError(429, "rate_limited", ..., retry_after)`` when a limit is
        reached, given when the user sent their ``per_day``-th newest message today and
        their ``per_minute``-th newest in the last minute (None: fewer)."""
        now = self.now
        if self.per_day <= 0 or day_nth is not None:
            wait = _wait((self.midnight + timedelta(days=1) - now).total_seconds())
            raise ChatError(429, "rate_limited",
                            f"You've reached today's limit of {self.per_day} messages. "
                            f"Try again in {_human(wait)}.", retry_after=wait)
        # The oldest message that still counts against the per-minute limit decides the wait.
        oldest = minute_nth if self.per_minute > 0 else now - timedelta(minutes=1)
        if oldest is not None:
            wait = _wait((oldest + timedelta(minutes=1) - now).total_seconds())
            raise ChatError(429, "rate_limited",
                            f"You're sending messages too quickly (limit {self.per_minute} "
                            f"a minute). Try again in {_human(wait)}.", retry_after=wait)


def _human(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds" if seconds != 1 else "1 second"
    if seconds < 5400:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds / 3600)} hours"
