"""The corpus's board, its case shape and date helpers (the phrasings are in corpus.py).

Every case starts from :data:`BOARD`. Dates are counted from today (UTC), as the tools do.
Board order (by due date, undated last, newest first): renew passport, do the laundry, wash
the dishes, call mom, submit tax return, pay rent, book dentist appointment, water the
plants, feed the cat, buy milk. Open tasks, in the same order, leave out the two done ones.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

TODAY = datetime.now(timezone.utc).date()

#: (title, due in days or None, due time, priority, completed), created in this order.
BOARD = [
    ("buy milk", None, None, "medium", False),
    ("feed the cat", None, None, "low", False),
    ("water the plants", None, None, "medium", True),
    ("book dentist appointment", None, None, "medium", False),
    ("do the laundry", 0, None, "medium", False),
    ("wash the dishes", 1, None, "medium", False),
    ("call mom", 3, "18:00", "high", False),
    ("pay rent", 10, None, "medium", False),
    ("renew passport", -1, None, "high", False),
    ("submit tax return", 5, None, "medium", True),
]
BOARD_ORDER = ["renew passport", "do the laundry", "wash the dishes", "call mom",
               "submit tax return", "pay rent", "book dentist appointment", "water the plants",
               "feed the cat", "buy milk"]
OPEN_ORDER = [t for t in BOARD_ORDER if t not in ("submit tax return", "water the plants")]
OPEN = ("what's open?",)
DONE_LIST = ("show completed tasks",)


@dataclass(frozen=True)
class Case:
    phrase: str
    before: tuple[str, ...] = ()
    add: tuple[tuple[str, str | None, str | None, str], ...] = ()
    done: tuple[str, ...] = ()
    undone: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    changed: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    reply: str = ""
    calls: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    topic: str = ""

    def expected_changes(self) -> dict[str, Any]:
        return {"add": sorted((t.lower(), d, tm, p) for t, d, tm, p in self.add),
                "deleted": sorted(self.deleted), "done": sorted(self.done),
                "undone": sorted(self.undone),
                "changed": {title: dict(fields) for title, fields in self.changed}}


def case(phrase: str, *, before: tuple[str, ...] | str = (), add: Any = (),
         done: Any = (), undone: Any = (), deleted: Any = (),
         changed: dict[str, dict[str, Any]] | None = None, reply: str = "",
         calls: list[tuple[str, dict[str, Any]]] | None = None, topic: str = "") -> Case:
    """A case; ``add`` items are a title or (title, due, time, priority) with the tail
    optional; single strings may stand for one-item lists."""
    def many(value: Any) -> tuple[Any, ...]:
        return (value,) if isinstance(value, str) else tuple(value)
    adds = []
    for item in many(add):
        item = (item,) if isinstance(item, str) else tuple(item)
        title, due, time, priority = (*item, None, None, None)[:4]
        adds.append((title, due, time, priority or "medium"))
    return Case(phrase, many(before), tuple(adds), many(done), many(undone), many(deleted),
                tuple((t, tuple(f.items())) for t, f in (changed or {}).items()), reply,
                tuple((tool, tuple(a.items())) for tool, a in (calls or [])), topic)


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def weekday(target: int, strictly_after: bool = False) -> str:
    """The coming weekday (0 = Monday), today included unless ``strictly_after``."""
    ahead = (target - TODAY.weekday()) % 7
    return day(ahead or (7 if strictly_after else 0))


def month_end() -> str:
    return TODAY.replace(day=calendar.monthrange(TODAY.year, TODAY.month)[1]).isoformat()


def next_month(on: int) -> str:
    first = (TODAY.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first.replace(day=on).isoformat()


def in_months(n: int) -> str:
    month0 = TODAY.month - 1 + n
    year, month = TODAY.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(TODAY.day, calendar.monthrange(year, month)[1])).isoformat()


def on_day(d: int, m: int) -> str:
    """The next 'd/m' from today (this year, or next year once it has passed)."""
    this = date(TODAY.year, m, d)
    return (this if this >= TODAY else date(TODAY.year + 1, m, d)).isoformat()


def nth(d: int) -> str:
    """"the 15th": this month's, or next month's once it has passed."""
    return TODAY.replace(day=d).isoformat() if d >= TODAY.day else next_month(d)


def friday_this_week() -> str:
    return day((4 - TODAY.weekday()) % 7)


def saturday() -> str:
    return day((5 - TODAY.weekday()) % 7)


def due_this_week() -> list[str]:
    """Open tasks due by this Sunday (overdue included)."""
    last = 6 - TODAY.weekday()
    return [t for t, offset, _tm, _p, done in BOARD
            if offset is not None and offset <= last and not done]


__all__ = ["BOARD", "BOARD_ORDER", "Case", "DONE_LIST", "OPEN", "OPEN_ORDER", "TODAY",
           "case", "day", "due_this_week", "friday_this_week", "in_months", "month_end",
           "next_month", "nth", "on_day", "saturday", "weekday"]
