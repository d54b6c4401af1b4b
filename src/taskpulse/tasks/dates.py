"""Due dates in plain words: ISO dates, "today", "tomorrow", "next friday", "in 3 days", ...

``parse_due_date`` turns one phrase into a date (or raises ``ValueError`` with a hint);
``DATE_PHRASE`` finds such a phrase inside a longer sentence (the offline agent uses it).
Days are computed from the date passed in (the server uses today's UTC date).
"""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
                "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
                "twelve": 12, "couple of": 2, "few": 3}

HINT = ("Use a date like 2026-12-01, or words such as today, tomorrow, next friday, "
        "in 3 days or next week.")

_WD = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday)?"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_NUM = r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve" \
       r"|a couple of|couple of|a few|few)"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"

#: One due-date phrase, with an optional lead word ("due", "by", "on", "for", ...).
DATE_PHRASE = re.compile(
    r"(?:\b(?:due|by|on|for|until|till|before|at)\s+)?(?:on\s+)?"
    r"(?P<when>\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}"
    r"|(?:the\s+)?day\s+after\s+tomorrow|today|tonight|tomorrow|tmrw|tomorow"
    r"|(?:next|this|coming|the\s+coming)\s+(?:week(?:end)?|month|" + _WD + r")"
    r"|end\s+of\s+(?:the\s+)?(?:week|month)|(?:the\s+)?weekend"
    r"|in\s+" + _NUM + r"\s+(?:days?|weeks?|months?)"
    r"|" + _WD +
    r"|" + _MONTH + r"\s+" + _DAY + r"(?:,?\s+\d{4})?"
    r"|(?:the\s+)?" + _DAY + r"\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+\d{4})?)\b",
    re.IGNORECASE)


def _weekday(word: str) -> int | None:
    word = word.lower()
    for i, name in enumerate(WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            return i
    return None


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def _number(text: str) -> int:
    text = text.lower().strip()
    text = re.sub(r"^a\s+", "", text) if text not in ("a", "an") else text
    if text.isdigit():
        return int(text)
    return NUMBER_WORDS[text]


def _month_day(month_word: str, day_text: str, year_text: str | None, today: date) -> date:
    month = MONTHS.get(month_word.lower().rstrip("."))
    if month is None:
        raise ValueError(f"unknown month {month_word!r}")
    day = int(re.sub(r"\D", "", day_text))
    year = int(year_text) if year_text else today.year
    result = date(year, month, day)
    if not year_text and result < today:
        result = date(year + 1, month, day)
    return result


def parse_due_date(text: str, today: date) -> date:
    """One due-date phrase -> a date. Raises ``ValueError`` (with a hint) when unclear."""
    raw = " ".join(str(text).strip().lower().split())
    phrase = re.sub(r"^(?:due|by|on|for|until|till|before|at)\s+", "", raw)
    phrase = re.sub(r"^on\s+", "", phrase)
    try:
        result = _parse(phrase, today)
    except (ValueError, KeyError, OverflowError):
        result = None
    if result is None:
        raise ValueError(f"I couldn't understand the date {text!r}. {HINT}")
    return result


def _parse(p: str, today: date) -> date | None:
    if m := re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", p):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if p in ("today", "tonight"):
        return today
    if p in ("tomorrow", "tmrw", "tomorow"):
        return today + timedelta(days=1)
    if re.fullmatch(r"(?:the )?day after tomorrow", p):
        return today + timedelta(days=2)
    if m := re.fullmatch(r"in (.+?) (day|week|month)s?", p):
        n = _number(m[1])
        if m[2] == "month":
            return _add_months(today, n)
        return today + timedelta(days=n * (7 if m[2] == "week" else 1))
    if p in ("next week", "coming week", "the coming week"):
        return today + timedelta(days=7)
    if p == "this week" or re.fullmatch(r"end of (?:the )?week", p):
        return today + timedelta(days=(4 - today.weekday()) % 7)   # this friday
    if p in ("next month", "coming month", "the coming month"):
        return _add_months(today, 1)
    if re.fullmatch(r"(?:this )?month|end of (?:the )?month|this month", p):
        return date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
    if re.fullmatch(r"(?:this |the |the coming |coming )?weekend", p):
        return today + timedelta(days=(5 - today.weekday()) % 7)
    if p == "next weekend":
        return today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    if m := re.fullmatch(r"(next|this|coming|the coming)?\s*([a-z]+)", p):
        wd = _weekday(m[2])
        if wd is not None:
            ahead = (wd - today.weekday()) % 7
            if m[1] and m[1] != "this" and ahead == 0:
                ahead = 7
            return today + timedelta(days=ahead)
    if m := re.fullmatch(r"([a-z]+\.?) (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?", p):
        return _month_day(m[1], m[2], m[3], today)
    if m := re.fullmatch(r"(?:the )?(\d{1,2})(?:st|nd|rd|th)? (?:of )?([a-z]+\.?)(?:,? (\d{4}))?",
                         p):
        return _month_day(m[2], m[1], m[3], today)
    return None


def relative_day(day: date, today: date) -> str:
    """A day as the board shows it: "today", "tomorrow", "Fri" (this week), "Nov 27".

    The same words as the board's due labels (web/pages_tasks.py, static/js/board_rows.js);
    the year is added only when it is not this year ("Jan 4, 2027").
    """
    delta = (day - today).days
    if -1 <= delta <= 1:
        return ("yesterday", "today", "tomorrow")[delta + 1]
    if 1 < delta < 7:
        return WEEKDAYS[day.weekday()][:3].capitalize()
    year = f", {day.year}" if day.year != today.year else ""
    return f"{MONTH_ABBR[day.month - 1]} {day.day}{year}"


def describe_due(due: date | None, today: date) -> str:
    """A due date for a sentence ("due …"): "today", "tomorrow", "Fri", "Nov 27"."""
    return relative_day(due, today) if due is not None else "no due date"
