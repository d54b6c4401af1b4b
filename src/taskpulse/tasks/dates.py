"""Due dates and times in plain words: "tomorrow at 5pm", "next friday", "the 3rd of next
month", "25/12", "by the end of the month", ...

``parse_due`` turns one phrase into a :class:`Due` (a date and maybe a time, or raises
``ValueError`` with a hint); ``parse_due_date`` keeps only the date. ``DATE_PHRASE`` finds
such a phrase inside a longer sentence (the offline agent uses it). Days are computed from
the date passed in (the server uses today's UTC date). Numeric dates are read day first
("03/04" is 3 April) unless the first number cannot be a month ("12/25" is 25 December).
A comparison with dateparser and parsedatetime on the assistant's test phrasings is in
docs/agent.md; this parser understood more of them, so it stays.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
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
TOMORROW = ("tomorrow", "tmrw", "tmr", "tomorow", "tommorow", "tommorrow", "2moro", "tmw")

HINT = ("Use a date like 2026-12-01, or words such as today, tomorrow, next friday, "
        "in 3 days or next week (a time too if you like: tomorrow at 5pm).")

_WD = r"(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(?:day|nesday|rsday|urday)?"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_NUM = r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve" \
       r"|a couple of|couple of|a few|few)"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_PART = r"(?:morning|afternoon|evening|night|eod|end of (?:the )?day)"
#: A time of day: 5pm, 5:30 pm, 17:00, 9 o'clock, noon.
TIME = (r"(?:noon|midday|midnight|\d{1,2}(?::[0-5]\d)?\s*(?:am|pm|a\.m\.|p\.m\.)"
        r"|(?:[01]?\d|2[0-3]):[0-5]\d|\d{1,2}\s*o'?clock)")
_DATE = (
    r"\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?"
    r"|(?:the\s+)?day\s+after\s+(?:tomorrow|tmrw)|today|tonight|" + "|".join(TOMORROW) +
    r"|(?:this|tomorrow)\s+" + _PART +
    r"|(?:the\s+)?end\s+of\s+(?:the\s+|this\s+|next\s+)?(?:week|month)"
    r"|(?:next|this|coming|the\s+coming)\s+(?:week(?:end)?|month|" + _WD + r")"
    r"|(?:the\s+)?weekend|in\s+a\s+fortnight|a\s+week\s+from\s+(?:today|now)"
    r"|in\s+" + _NUM + r"\s+(?:days?|weeks?|months?)"
    r"|" + _WD + r"(?:\s+(?:next\s+week|" + _PART + r"))?"
    r"|" + _MONTH + r"\s+" + _DAY + r"(?:,?\s+\d{4})?"
    r"|(?:the\s+)?" + _DAY + r"\s+(?:of\s+)?(?:" + _MONTH + r"(?:,?\s+\d{4})?"
    r"|(?:next|this)\s+month)"
    r"|the\s+\d{1,2}(?:st|nd|rd|th)")
_AT_TIME = r"(?:at|@|around)\s*(?:" + TIME + r"|\d{1,2}\b(?![:/.%]))"
_WHEN = (r"(?:" + _DATE + r")(?:\s*,?\s*(?:" + _AT_TIME + r"|(?:by\s+)?" + TIME + r"))?"
         r"|" + _AT_TIME + r"(?:\s+(?:on\s+|by\s+)?(?:" + _DATE + r"))?"
         r"|" + TIME + r"(?:\s+(?:on\s+)?(?:" + _DATE + r"))?")

#: One due phrase, with an optional lead word ("due", "by", "on", "for", ...).
DATE_PHRASE = re.compile(
    r"(?:\b(?:due|by|on|for|until|till|before|at)\s+)?(?:on\s+)?"
    r"(?P<when>" + _WHEN + r")(?![\w/]|:\d)", re.IGNORECASE)
_TIME_RX = re.compile(r"(?:\b(?:at|@|by|around)\s*)?(?P<t>" + TIME + r")(?![\w:])"
                      r"|\b(?:at|@|around)\s*(?P<h>\d{1,2})\b(?![:/.])", re.I)


@dataclass(frozen=True)
class Due:
    day: date
    time: str | None = None       # "HH:MM", 24-hour


def _weekday(word: str) -> int | None:
    word = {"tues": "tue", "thur": "thu", "thurs": "thu", "weds": "wed"}.get(word, word)
    for i, name in enumerate(WEEKDAYS):
        if len(word) >= 3 and name.startswith(word):
            return i
    return None


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def _month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def _number(text: str) -> int:
    text = text.lower().strip()
    text = re.sub(r"^a\s+", "", text) if text not in ("a", "an") else text
    if text.isdigit():
        return int(text)
    return NUMBER_WORDS[text]


def _month_day(month_word: str, day_text: str, year_text: str | None, today: date) -> date:
    month = MONTHS.get(month_word.lower().rstrip("."))
    if month is None:
        month = next((n for name, n in MONTHS.items() if len(month_word) >= 3
                      and name.startswith(month_word.lower()[:3])), None)
    if month is None:
        raise ValueError(f"unknown month {month_word!r}")
    day = int(re.sub(r"\D", "", day_text))
    year = int(year_text) if year_text else today.year
    result = date(year, month, day)
    if not year_text and result < today:
        result = date(year + 1, month, day)
    return result


def parse_time(text: str, evening: bool = False) -> str | None:
    """"5pm" -> "17:00", "9:30 am" -> "09:30", "17:00", "noon"; None if it is not a time.
    A bare hour ("at 5") is read as the next likely one: 1-6 in the afternoon."""
    t = text.lower().replace(".", "").replace(" ", "")
    if t in ("noon", "midday"):
        return "12:00"
    if t == "midnight":
        return "00:00"
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(am|pm|o'?clock)?", t)
    if m is None:
        return None
    hour, minute, suffix = int(m[1]), int(m[2] or 0), m[3] or ""
    if hour > 23 or minute > 59 or (suffix in ("am", "pm") and not 1 <= hour <= 12):
        return None
    if suffix == "pm" and hour != 12:
        hour += 12
    elif suffix == "am" and hour == 12:
        hour = 0
    elif not suffix.endswith("m") and (m[2] is None or suffix) and 1 <= hour <= 11 and \
            (evening or hour <= 6):
        hour += 12
    return f"{hour:02d}:{minute:02d}"


def parse_due(text: str, today: date) -> Due:
    """One due phrase -> a :class:`Due`. Raises ``ValueError`` (with a hint) when unclear."""
    raw = " ".join(str(text).strip().lower().split())
    phrase = re.sub(r"^(?:due|by|on|for|until|till|before)\s+", "", raw)
    phrase = re.sub(r"^on\s+", "", phrase)
    try:
        result = _split(phrase, today)
    except (ValueError, KeyError, OverflowError):
        result = None
    if result is None:
        raise ValueError(f"I couldn't understand the date {text!r}. {HINT}")
    return result


def parse_due_date(text: str, today: date) -> date:
    """One due-date phrase -> a date (any time in it is dropped)."""
    return parse_due(text, today).day


def _split(phrase: str, today: date) -> Due | None:
    """The time (if any) and the date around it."""
    found = _TIME_RX.search(phrase)
    if found is None or re.fullmatch(r"\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?", phrase):
        day = _parse(phrase, today)
        return Due(day) if day else None
    evening = bool(re.search(r"\b(?:tonight|evening|night)\b", phrase))
    time = parse_time(found["t"] or found["h"], evening)
    rest = (phrase[:found.start()] + " " + phrase[found.end():]).strip(" ,")
    rest = re.sub(r"\s+(?:on|by)$|^(?:on|by)\s+", "", " ".join(rest.split()))
    day = _parse(rest, today) if rest else today
    return Due(day, time) if day and time else None


def _relative(p: str, today: date) -> date | None:
    if p in ("today", "tonight", "eod", "end of day", "end of the day") or re.fullmatch(
            r"this (?:morning|afternoon|evening)", p):
        return today
    if p in TOMORROW or re.fullmatch(r"(?:" + "|".join(TOMORROW) + r") \w+", p):
        return today + timedelta(days=1)
    if re.fullmatch(r"(?:the )?day after (?:tomorrow|tmrw)", p):
        return today + timedelta(days=2)
    if p in ("in a fortnight", "a fortnight"):
        return today + timedelta(days=14)
    if re.fullmatch(r"a week from (?:today|now)", p):
        return today + timedelta(days=7)
    if m := re.fullmatch(r"in (.+?) (day|week|month)s?", p):
        n = _number(m[1])
        if m[2] == "month":
            return _add_months(today, n)
        return today + timedelta(days=n * (7 if m[2] == "week" else 1))
    return None


def _periods(p: str, today: date) -> date | None:
    if p in ("next week", "coming week", "the coming week"):
        return today + timedelta(days=7)
    if p == "this week" or re.fullmatch(r"(?:the )?end of (?:the |this )?week", p):
        return today + timedelta(days=(4 - today.weekday()) % 7)   # this friday
    if re.fullmatch(r"(?:the )?end of next week", p):
        return today + timedelta(days=(4 - today.weekday()) % 7 + 7)
    if p in ("next month", "coming month", "the coming month"):
        return _add_months(today, 1)
    if re.fullmatch(r"(?:the )?end of (?:the |this )?month|this month", p):
        return _month_end(today)
    if re.fullmatch(r"(?:the )?end of next month", p):
        return _month_end(_add_months(today.replace(day=1), 1))
    if re.fullmatch(r"(?:this |the |the coming |coming )?weekend", p):
        return today + timedelta(days=(5 - today.weekday()) % 7)
    if p == "next weekend":
        return today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    return None


def _weekdays(p: str, today: date) -> date | None:
    p = re.sub(r"\s+" + _PART + "$", "", p)
    if m := re.fullmatch(r"(next|this|coming|the coming)?\s*([a-z]+)( next week)?", p):
        wd = _weekday(m[2])
        if wd is not None:
            ahead = (wd - today.weekday()) % 7
            if m[1] and m[1] != "this" and ahead == 0:
                ahead = 7
            if m[3]:
                ahead = 7 - today.weekday() + wd     # that day of the coming week
            return today + timedelta(days=ahead)
    return None


def _calendar(p: str, today: date) -> date | None:
    if m := re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", p):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"the (\d{1,2})(?:st|nd|rd|th)", p):
        result = today.replace(day=1)
        result = result.replace(day=int(m[1])) if int(m[1]) >= today.day else \
            _add_months(result, 1).replace(day=int(m[1]))
        return result
    if m := re.fullmatch(r"(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?", p):
        first, second = int(m[1]), int(m[2])
        day, month = (second, first) if second > 12 >= first else (first, second)
        year = m[3] and (int(m[3]) + (2000 if len(m[3]) == 2 else 0))
        return _month_day(calendar.month_abbr[month], str(day), str(year) if year else None,
                          today)
    if m := re.fullmatch(r"([a-z]+\.?) (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?", p):
        return _month_day(m[1], m[2], m[3], today)
    if m := re.fullmatch(r"(?:the )?(\d{1,2})(?:st|nd|rd|th)? (?:of )?([a-z]+\.?)(?:,? (\d{4}))?",
                         p):
        if m[2] not in ("next", "this"):
            return _month_day(m[2], m[1], m[3], today)
    if m := re.fullmatch(r"(?:the )?(\d{1,2})(?:st|nd|rd|th)? of (next|this) month", p):
        base = _add_months(today.replace(day=1), 1 if m[2] == "next" else 0)
        return base.replace(day=int(m[1]))
    return None


def _parse(p: str, today: date) -> date | None:
    for reader in (_relative, _periods, _weekdays, _calendar):
        found = reader(p, today)
        if found is not None:
            return found
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


def describe_due(due: date | None, today: date, time: str | None = None) -> str:
    """A due date for a sentence ("due …"): "today", "tomorrow at 17:00", "Fri", "Nov 27"."""
    if due is None:
        return "no due date"
    return relative_day(due, today) + (f" at {time}" if time else "")
