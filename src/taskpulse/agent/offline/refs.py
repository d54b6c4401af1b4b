"""How people point at tasks: "buy milk", "the laundry one", "laundry and the dishes",
"the first one", "1 and 3", "the first two", "them", "it" — and selections such as
"everything I've completed" or "all my overdue tasks" (:mod:`.selection`)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from taskpulse.agent.offline.selection import Selection, parse_selection

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
                 r"|the one i just added|the new one|the one you just added|the last one i "
                 r"added|what i just added)")
_LISTED = re.compile(r"(?:all\s+)?(?:them|those|these)(?:\s+(?:all|tasks|ones|two|three))?"
                     r"|all of (?:them|those|these)|both(?: of them| tasks| of those)?"
                     r"|each of them|all (?:two|three|four|five|\d+)(?: of them)?"
                     r"|every one of them|the whole list|everything (?:listed|above|on the list)")
_SECOND_LAST = re.compile(r"(?:the\s+)?(?:second\s+to\s+last|second\s+last|penultimate|"
                          r"next\s+to\s+last)(?:\s+(?:one|task|item))?")
_FIRST_N = re.compile(r"(?:the\s+)?(?P<end>first|top|last)\s+(?P<n>\d+|two|three|four|five|six"
                      r"|seven|eight|nine|ten)(?:\s+(?:ones|tasks|items|of them|things))?"
                      r"(?:\s+(?:on\s+)?(?:the|my)\s+(?:list|board))?")
_ITEM = re.compile(r"(?:the\s+)?(?:task\s+|item\s+|number\s+|no\.?\s*|#)?"
                   r"(?P<n>\d{1,3}|first|second|third|fourth|fifth|sixth|seventh|eighth"
                   r"|ninth|tenth|last|top|1st|2nd|3rd|[4-9]th|10th)"
                   r"(?:\s+(?:one|task|item|thing))?"
                   r"(?:\s+(?:on|in)\s+(?:the|my)\s+(?:list|board))?")
_SPLIT = re.compile(r"\s*(?:,\s*and\b|,|\band\b|&|\+|\bas well as\b|\bplus\b)\s*")


@dataclass
class Ref:
    """What a user pointed at. Exactly one kind is meaningful."""
    titles: list[str] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)   # 1-based; -1 last, -2 second last
    first_n: int = 0
    last_n: int = 0
    listed: bool = False
    it: bool = False
    selection: Selection | None = None

    @property
    def title(self) -> str:
        return self.titles[0] if len(self.titles) == 1 else ""

    @property
    def needs_list(self) -> bool:
        """Positions and filters pick from a list of tasks."""
        return bool(self.positions or self.first_n or self.last_n or self.listed
                    or (self.selection and not self.selection.bulk))


def count_of(word: str) -> int:
    """A number said in digits or words. Past :data:`MAX_COUNT_DIGITS` digits it is
    :data:`TOO_MANY` (more than any list holds, so the reply asks again) instead of a
    number ``int()`` would refuse to read (over 4300 digits) or that nothing needs."""
    if word.isdigit():
        return int(word) if len(word.lstrip("0")) <= MAX_COUNT_DIGITS else TOO_MANY
    return COUNTS[word.lower()]


def strip_title(text: str) -> str:
    """"the 'Buy Milk' task" -> "Buy Milk"; "the laundry one" -> "laundry"."""
    t = text.strip().strip(QUOTES).strip()
    t = re.sub(r"\s+(?:from|off|on|in)\s+(?:my\s+|the\s+)?(?:list|tasks|todo list|to-do list|"
               r"board)$", "", t, flags=re.I)
    t = re.sub(r"^(?:the\s+)?(?:one|task|item|thing)\s+(?:about|for|called|named|with|to)\s+",
               "", t, flags=re.I)
    bare = re.sub(r"^(?:the|my|a|an|that|this)\s+", "", t, flags=re.I)
    bare = re.sub(r"\s+(?:task|todo|to-do|item|one|thing|reminder)$", "", bare, flags=re.I)
    return (bare or t).strip().strip(QUOTES).strip()


def _positions(low: str) -> list[int]:
    positions: list[int] = []
    for item in (p for p in _SPLIT.split(low) if p):
        m = _ITEM.fullmatch(item)
        if m is None:
            return []
        word = m["n"]
        positions.append(int(word) if word.isdigit() else ORDINALS[word])
    return positions


def split_titles(text: str) -> list[str]:
    """"laundry and the dishes" -> ["laundry", "dishes"]."""
    quoted = re.findall(r"[\"“]([^\"”]+)[\"”]", text)
    if quoted:
        return quoted
    parts = [strip_title(p) for p in _SPLIT.split(text) if p.strip()]
    parts = [re.sub(r"\s+(?:both|all|too|as well)$", "", p, flags=re.I) for p in parts if p]
    return [p for p in parts if p] or [strip_title(text)]


def parse_ref(text: str) -> Ref:
    t = " ".join(text.strip().strip(QUOTES).split())
    t = re.sub(r"\s+(?:both|all|too|as well|each)$", "", t, flags=re.I)
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
    if positions := _positions(low):
        return Ref(positions=positions)
    if selection := parse_selection(low):
        return Ref(selection=selection)
    return Ref(titles=split_titles(t))


def all_tasks_phrase(text: str) -> tuple[bool, str]:
    """("all my completed tasks") -> (True, "completed"); ("buy milk") -> (False, "all")."""
    selection = parse_selection(text.lower())
    if selection is None or not selection.bulk:
        return False, "all"
    return True, selection.status
