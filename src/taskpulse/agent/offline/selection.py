"""Selections: "everything I've completed", "all my overdue tasks", "the done ones",
"everything due today", "all high priority tasks".

A selection of a status only ("all completed tasks") is what the bulk tools take; one with
a due or priority filter is applied to a list of tasks (:meth:`Selection.picks`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

_ALL = r"\b(?:all|every|everything|each|anything|whatever)\b"
_STATUS = (
    ("completed", r"\b(?:completed?|done|finished|checked(?: off)?|ticked(?: off)?|"
                  r"i(?:'ve| have)? (?:already )?(?:done|did|completed|finished))\b"),
    ("pending", r"\b(?:open|pending|incomplete|unfinished|outstanding|remaining|left|active|"
                r"undone|not (?:yet )?(?:done|finished|completed?)|still to do|to do|todo)\b"),
)
_DUE = (
    ("overdue", r"\b(?:overdue|late|past due|past (?:its|their) (?:due )?date|missed)\b"),
    ("today", r"\b(?:(?:due |for )?today|today's)\b"),
    ("tomorrow", r"\b(?:(?:due |for )?tomorrow|tomorrow's)\b"),
    ("week", r"\b(?:(?:due |for )?this week|this week's)\b"),
    ("undated", r"\b(?:(?:with )?no (?:due )?date|without (?:a )?(?:due )?date|undated)\b"),
)
_PRIORITY = (("high", r"\b(?:high[- ]priority|urgent|important)\b"),
             ("low", r"\b(?:low[- ]priority|unimportant|minor)\b"),
             ("medium", r"\b(?:medium[- ]priority|normal[- ]priority)\b"))
_FILLER = {"of", "my", "the", "whole", "entire", "on", "it", "from", "in", "to-do", "as",
           "current", "single", "one", "ones", "list", "list's", "thing", "things", "stuff",
           "task", "tasks", "todo", "todos", "to-dos", "items", "item", "that", "that's",
           "thats", "which", "are", "is", "were", "was", "i", "i've", "have", "has", "been",
           "already", "all", "every", "everything", "each", "anything", "whatever", "my",
           "with", "a", "due", "priority", "those", "these", "and", "now", "board", "off",
           "by", "set", "marked", "as", "there", "you", "me", "we", "s", "'s", "ve"}


@dataclass
class Selection:
    status: str = "all"      # all / pending / completed
    due: str = ""            # "" / overdue / today / tomorrow / week / undated
    priority: str = ""       # "" / low / medium / high

    @property
    def bulk(self) -> bool:
        """A status alone: the bulk tools can do it in one call."""
        return not self.due and not self.priority

    def picks(self, task: dict[str, Any], today: date) -> bool:
        if self.status != "all" and bool(task.get("completed")) != (self.status == "completed"):
            return False
        if self.priority and task.get("priority") != self.priority:
            return False
        return self.due == "" or _due_matches(self.due, task.get("due_date"), today)


def _due_matches(due: str, value: Any, today: date) -> bool:
    if due == "undated":
        return not value
    if not value:
        return False
    day = date.fromisoformat(str(value))
    if due == "overdue":
        return day < today
    if due == "today":
        return day <= today
    if due == "tomorrow":
        return day == today + timedelta(days=1)
    return day <= today + timedelta(days=(6 - today.weekday()))     # "week": by sunday


def _take(text: str, table: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    for value, pattern in table:
        if m := re.search(pattern, text):
            return value, text[:m.start()] + " " + text[m.end():]
    return "", text


def parse_selection(text: str) -> Selection | None:
    """The selection a phrase names, or None when it names particular tasks."""
    low = text.lower().strip()
    if re.search(r"\d", low):
        return None
    whole = re.search(r"\b(?:list|tasks|todos|to-dos|items|board)\b", low)
    has_all = bool(re.search(_ALL, low) or whole)
    status, rest = _take(low, _STATUS)
    due, rest = _take(rest, _DUE)
    priority, rest = _take(rest, _PRIORITY)
    if not (has_all or status or due):
        return None
    leftover = [w for w in re.findall(r"[a-z'-]+", rest) if w not in _FILLER]
    if leftover:
        return None
    if due == "overdue" and not status:
        status = "pending"
    return Selection(status=status or "all", due=due, priority=priority)
