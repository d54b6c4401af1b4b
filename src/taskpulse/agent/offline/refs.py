"""How people point at tasks: "buy milk", "the first one", "1 and 3", "the first two",
"them", "it" — and whether a phrase means "all my tasks" (with an optional status)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
            "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "last": -1,
            "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6, "7th": 7, "8th": 8,
            "9th": 9, "10th": 10, "top": 1}
COUNTS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10}
QUOTES = "\"'`‘’“”"
MAX_COUNT_DIGITS = 6
TOO_MANY = 10 ** MAX_COUNT_DIGITS

_IT = re.compile(r"(?:it|that|this|that one|this one|that task|this task|the task"
                 r"|the one i just added|the new one|the one you just added)")
_LISTED = re.compile(r"(?:all\s+)?(?:them|those|these)(?:\s+(?:all|tasks|ones|two|three))?"
                     r"|all of (?:them|those|these)|both(?: of them| tasks)?"
                     r"|each of them|all (?:two|three|four|five|\d+)(?: of them)?"
                     r"|every one of them|the whole list|everything (?:listed|above|on the list)")
_SECOND_LAST = re.compile(r"(?:the\s+)?(?:second\s+to\s+last|second\s+last|penultimate)"
                          r"(?:\s+(?:one|task|item))?")
_FIRST_N = re.compile(r"(?:the\s+)?(?P<end>first|top|last)\s+(?P<n>\d+|two|three|four|five|six"
                      r"|seven|eight|nine|ten)(?:\s+(?:ones|tasks|items|of them))?")
_ITEM = re.compile(r"(?:the\s+)?(?:task\s+|item\s+|number\s+|no\.?\s*|#)?"
                   r"(?P<n>\d{1,3}|first|second|third|fourth|fifth|sixth|seventh|eighth"
                   r"|ninth|tenth|last|top|1st|2nd|3rd|[4-9]th|10th)"
                   r"(?:\s+(?:one|task|item|on the list))?")
_SPLIT = re.compile(r"\s*(?:,\s*and\b|,|\band\b|&|\+)\s*")

STRONG_ALL = {"all", "every", "everything", "each", "list", "tasks", "todos", "to-dos", "items"}
ALL_WORDS = STRONG_ALL | {"task", "todo", "item"}
FILLER = {"of", "my", "the", "whole", "entire", "on", "it", "from", "in", "to-do", "as",
          "current", "remaining", "single", "one", "list's", "thing", "things", "stuff"}
BARE = {"the", "my", "ones", "tasks", "items"}
STATUS = {"completed": "completed", "complete": "completed", "done": "completed",
          "finished": "completed", "checked": "completed", "old": "completed",
          "pending": "pending", "open": "pending", "incomplete": "pending",
          "unfinished": "pending", "outstanding": "pending", "remaining": "pending",
          "active": "pending", "undone": "pending"}


@dataclass
class Ref:
    """What a user pointed at. Exactly one of the fields is meaningful."""
    title: str = ""
    positions: list[int] = field(default_factory=list)   # 1-based; -1 last, -2 second last
    first_n: int = 0
    last_n: int = 0
    listed: bool = False
    it: bool = False


def count_of(word: str) -> int:
    """A number said in digits or words. Past :data:`MAX_COUNT_DIGITS` digits it is
    :data:`TOO_MANY` (more than any list holds, so the reply asks again) instead of a
    number ``int()`` would refuse to read (over 4300 digits) or that nothing needs."""
    if word.isdigit():
        return int(word) if len(word.lstrip("0")) <= MAX_COUNT_DIGITS else TOO_MANY
    return COUNTS[word.lower()]


def _strip_title(text: str) -> str:
    t = text.strip().strip(QUOTES).strip()
    t = re.sub(r"\s+(?:from|off|on)\s+(?:my\s+|the\s+)?(?:list|tasks|todo list|to-do list)$",
               "", t, flags=re.I)
    bare = re.sub(r"^(?:the|my|a|an)\s+", "", t, flags=re.I)
    bare = re.sub(r"\s+(?:task|todo|to-do|item)$", "", bare, flags=re.I)
    return (bare or t).strip().strip(QUOTES).strip()


def parse_ref(text: str) -> Ref:
    t = " ".join(text.strip().strip(QUOTES).split())
    low = t.lower()
    if _IT.fullmatch(low):
        return Ref(it=True)
    if _LISTED.fullmatch(low):
        return Ref(listed=True)
    if _SECOND_LAST.fullmatch(low):
        return Ref(positions=[-2])
    if m := _FIRST_N.fullmatch(low):
        n = count_of(m["n"])
        return Ref(last_n=n) if m["end"] == "last" else Ref(first_n=n)
    items = [p for p in _SPLIT.split(low) if p]
    positions: list[int] = []
    for item in items:
        m = _ITEM.fullmatch(item)
        if m is None:
            positions = []
            break
        word = m["n"]
        positions.append(int(word) if word.isdigit() else ORDINALS[word])
    if positions:
        return Ref(positions=positions)
    return Ref(title=_strip_title(t))


def all_tasks_phrase(text: str) -> tuple[bool, str]:
    """("all my completed tasks") -> (True, "completed"); ("buy milk") -> (False, "all")."""
    words = re.findall(r"[a-z'-]+", text.lower())
    if len(re.findall(r"\d", text)):
        return False, "all"
    if not any(w in STRONG_ALL for w in words):
        # "clear completed", "remove the done ones": a status alone means all of that status.
        statuses = {STATUS[w] for w in words if w in STATUS}
        if len(statuses) == 1 and all(w in STATUS or w in BARE for w in words):
            return True, statuses.pop()
        return False, "all"
    status = "all"
    for w in words:
        if w in STATUS:
            status = STATUS[w]
        elif w not in ALL_WORDS and w not in FILLER:
            return False, "all"
    return True, status
