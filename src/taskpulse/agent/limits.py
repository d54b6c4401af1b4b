"""Chat limits per user: messages per minute (rolling) and per day (UTC calendar day).

Only the user's own messages count (assistant replies do not). The check runs under the
user's lock together with saving the new message, so a burst cannot slip past it.
"""
from __future__ import annotations

import math
from datetime import datetime, time, timedelta, timezone

from taskpulse.agent.api import ChatError
from taskpulse.db.statements import NTH_NEWEST_SENT, as_datetime


def _wait(seconds: float) -> int:
    return max(1, math.ceil(seconds))


async def check_chat_limits(user_id: str, per_minute: int, per_day: int,
                            now: datetime | None = None) -> None:
    """Raise ``ChatError(429, "rate_limited", ..., retry_after)`` when a limit is reached.

    One query reads when the user sent their ``per_day``-th newest message today and their
    ``per_minute``-th newest in the last minute (one row of an index each)."""
    now = now or datetime.now(timezone.utc)
    midnight = datetime.combine(now.date(), time(), tzinfo=timezone.utc)
    minute_ago = now - timedelta(minutes=1)
    day_nth: datetime | None
    oldest: datetime | None
    if per_day <= 0:
        day_nth, oldest = midnight, None
    else:
        [row] = await NTH_NEWEST_SENT.fetch(user_id, midnight, per_day - 1, minute_ago,
                                            max(0, per_minute - 1))
        day_nth = as_datetime(row[0])
        oldest = as_datetime(row[1]) if per_minute > 0 else minute_ago
    if day_nth is not None:
        wait = _wait((midnight + timedelta(days=1) - now).total_seconds())
        raise ChatError(429, "rate_limited",
                        f"You've reached today's limit of {per_day} messages. "
                        f"Try again in {_human(wait)}.", retry_after=wait)
    # The oldest message that still counts against the per-minute limit decides the wait.
    if oldest is not None:
        wait = _wait((oldest + timedelta(minutes=1) - now).total_seconds())
        raise ChatError(429, "rate_limited",
                        f"You're sending messages too quickly (limit {per_minute} a minute). "
                        f"Try again in {_human(wait)}.", retry_after=wait)


def _human(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds" if seconds != 1 else "1 second"
    if seconds < 5400:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds / 3600)} hours"
