"""Chat limits per user: messages per minute (rolling) and per day (UTC calendar day).

Only the user's own messages count (assistant replies do not). The check runs under the
user's lock together with saving the new message, so a burst cannot slip past it.
"""
from __future__ import annotations

import math
from datetime import datetime, time, timedelta, timezone

from taskpulse.agent.api import ChatError
from taskpulse.db.models import Message


def _wait(seconds: float) -> int:
    return max(1, math.ceil(seconds))


async def _nth_newest(user_id: str, since: datetime, n: int) -> datetime | None:
    """When the user sent their ``n``-th newest message since ``since`` (None: fewer).
    One indexed row, however many messages there are (owner_id, role, created_at)."""
    rows = await Message.filter(owner_id=user_id, role="user", created_at__gte=since).order_by(
        "-created_at").offset(max(0, n - 1)).limit(1).values_list("created_at", flat=True)
    return rows[0] if rows else None  # type: ignore[return-value]


async def check_chat_limits(user_id: str, per_minute: int, per_day: int,
                            now: datetime | None = None) -> None:
    """Raise ``ChatError(429, "rate_limited", ..., retry_after)`` when a limit is reached."""
    now = now or datetime.now(timezone.utc)
    midnight = datetime.combine(now.date(), time(), tzinfo=timezone.utc)
    if per_day <= 0 or await _nth_newest(user_id, midnight, per_day) is not None:
        wait = _wait((midnight + timedelta(days=1) - now).total_seconds())
        raise ChatError(429, "rate_limited",
                        f"You've reached today's limit of {per_day} messages. "
                        f"Try again in {_human(wait)}.", retry_after=wait)
    # The oldest message that still counts against the per-minute limit decides the wait.
    oldest = (await _nth_newest(user_id, now - timedelta(minutes=1), per_minute)
              if per_minute > 0 else now - timedelta(minutes=1))
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
