"""Questions about the list: "what's still open?", "what's due this week?", "show my
first 5 tasks", "anything overdue?"."""
from __future__ import annotations

import re

from taskpulse.agent.offline.intent import Intent
from taskpulse.agent.offline.refs import COUNTS, count_of

IC = re.IGNORECASE

LIST_START = re.compile(
    r"(?:show|list|display|view|see|get|give|tell|read|print|what|what's|whats|which|do i "
    r"have|have i|any|anything|how many|are there|is there|check|my|open|pending|completed|"
    r"done|finished|overdue|upcoming|remaining|todo|to-do|tasks?|agenda|where|whats up|"
    r"remind me what|pull up|bring up|lemme see|let me see|am i)\b", IC)
LIST_WORDS = re.compile(
    r"\b(?:tasks?|todos?|to-dos?|list|due|left|open|pending|remaining|outstanding|done|"
    r"completed|finished|overdue|upcoming|agenda|plate|to do|have to do|need to do|week|"
    r"today|tomorrow|everything|anything|finish|complete|accomplished|get done|got done|"
    r"schedule|on for|going on|up to|stuff|things|needs? doing|needs to be done)\b", IC)
PENDING = re.compile(r"\b(?:open|pending|left|remaining|outstanding|incomplete|unfinished|"
                     r"not\s+(?:yet\s+)?(?:done|finished|completed)|to do|(?:todo|to-do)(?! list)|"
                     r"still|"
                     r"undone|need to|have to|overdue|upcoming|on for|on my plate|needs? doing)\b",
                     IC)
COMPLETED = re.compile(r"\b(?:done|completed|finished|finish|complete|checked off|"
                       r"accomplished|ticked off)\b", IC)
_N = r"(\d+|" + "|".join(COUNTS) + r")"


def _within(low: str) -> int | None:
    if re.search(r"\b(?:today|tonight|overdue|late)\b", low):
        return 0
    if re.search(r"\btomorrow\b", low):
        return 1
    if m := re.search(r"\b(?:next|coming|within(?: the next)?|in the next|in)\s+" + _N
                      + r"\s+(days?|weeks?)\b", low):
        return count_of(m[1]) * (7 if m[2].startswith("week") else 1)
    if re.search(r"\bnext week\b", low):
        return 14
    if re.search(r"\b(?:this|the) week\b|\bweek\b", low):
        return 7
    if re.search(r"\b(?:this|the) month\b", low):
        return 30
    return None


def parse_list(text: str) -> Intent | None:
    q = text.rstrip("?").strip()
    asks = LIST_WORDS.search(q) or re.match(r"(?:show|list)\b", q, IC)
    if not LIST_START.match(q) or not asks:
        return None
    low = q.lower()
    intent = Intent("list")
    if PENDING.search(low):
        intent.status = "pending"
    elif COMPLETED.search(low):
        intent.status = "completed"
    intent.due_within_days = _within(low)
    if intent.due_within_days is not None and intent.status == "all":
        intent.status = "pending"
    if m := re.search(r"\b(?:first|top|next)\s+" + _N + r"\b(?!\s+(?:days?|weeks?))", low):
        intent.limit = count_of(m[1])
    return intent
