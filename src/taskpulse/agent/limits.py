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


async def check_chat_limits(user_id: str, per_minute: int, per_day: int,
                            now: datetime | None = None) -> None:
    """Raise ``ChatError(429, "rate_limited", ..., retry_after)`` when a limit is reached."""
    now = now or datetime.now(timezone.utc)
    midnight = datetime.combine(now.date(), time(), tzinfo=timezone.utc)
    mine = Message.filter(owner_id=user_id, role="user")
    today = await mine.filter(created_at__gte=midnight).count()
    if today >= per_day:
        wait = _wait((midnight + timedelta(days=1) - now).total_seconds())
        raise ChatError(429, "rate_limited",
                        f"You've reached today's limit of {per_day} messages. "
                        f"Try again in {_human(wait)}.", retry_after=wait)
    recent = await mine.filter(created_at__gte=now - timedelta(minutes=1)).order_by(
        "created_at").values_list("created_at", flat=True)
    if len(recent) >= per_minute:
        oldest: datetime = recent[len(recent) - per_minute]  # type: ignore[assignment]
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
