"""tasks/dates.py against the ecosystem's parsers (dateparser, parsedatetime) on the due
phrases of the assistant's corpus (tests/agent/offline/corpus.py), each with the meaning
docs/agent.md gives it. The better parser is the one the project keeps; the scores are
printed (pytest -s) and recorded in docs/agent.md."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from taskpulse.tasks.dates import parse_due

WED = date(2026, 11, 25)
NOON = datetime(2026, 11, 25, 12, 0)
D = date
#: (phrase, the date, the time or None)
PHRASES: list[tuple[str, date, str | None]] = [
    ("tomorrow", D(2026, 11, 26), None), ("next friday", D(2026, 11, 27), None),
    ("in 3 days", D(2026, 11, 28), None), ("monday", D(2026, 11, 30), None),
    ("2031-05-01", D(2031, 5, 1), None), ("the end of the month", D(2026, 11, 30), None),
    ("the 3rd of next month", D(2026, 12, 3), None), ("24/12", D(2026, 12, 24), None),
    ("12/20", D(2026, 12, 20), None), ("Dec 14", D(2026, 12, 14), None),
    ("the 15th of January", D(2027, 1, 15), None), ("next week", D(2026, 12, 2), None),
    ("this weekend", D(2026, 11, 28), None), ("in two weeks", D(2026, 12, 9), None),
    ("tmrw", D(2026, 11, 26), None), ("the day after tomorrow", D(2026, 11, 27), None),
    ("thursday", D(2026, 11, 26), None), ("friday", D(2026, 11, 27), None),
    ("next tuesday", D(2026, 12, 1), None), ("in a fortnight", D(2026, 12, 9), None),
    ("the end of the week", D(2026, 11, 27), None), ("the 28th", D(2026, 11, 28), None),
    ("saturday", D(2026, 11, 28), None), ("next month", D(2026, 12, 25), None),
    ("in a month", D(2026, 12, 25), None), ("today", WED, None),
    ("3 March 2031", D(2031, 3, 3), None), ("in 5 days", D(2026, 11, 30), None),
    ("tonight", WED, None), ("next wed", D(2026, 12, 2), None), ("sat", D(2026, 11, 28), None),
    ("the 1st", D(2026, 12, 1), None), ("tomorrow morning", D(2026, 11, 26), None),
    ("thursday at 9am", D(2026, 11, 26), "09:00"), ("tomorrow at 5pm", D(2026, 11, 26), "17:00"),
    ("at 8pm", WED, "20:00"), ("friday 2:30pm", D(2026, 11, 27), "14:30"),
    ("at 10am tomorrow", D(2026, 11, 26), "10:00"), ("tonight at 7", WED, "19:00"),
    ("at 9:15 tomorrow", D(2026, 11, 26), "09:15"),
    ("at noon on friday", D(2026, 11, 27), "12:00"),
    ("tomorrow at 17:00", D(2026, 11, 26), "17:00"), ("6am tomorrow", D(2026, 11, 26), "06:00"),
    ("monday at 10", D(2026, 11, 30), "10:00"),
    ("at 6:30pm on wednesday", WED, "18:30"),
    ("next thursday at 7pm", D(2026, 11, 26), "19:00"),       # the coming one (docs)
    ("2031-02-03 at 11am", D(2031, 2, 3), "11:00"), ("sat at 10am", D(2026, 11, 28), "10:00"),
    ("at 4pm", WED, "16:00"), ("3pm tomorrow", D(2026, 11, 26), "15:00"),
    ("the 3rd of next month at 2pm", D(2026, 12, 3), "14:00"),
    ("at 5 tomorrow", D(2026, 11, 26), "17:00"), ("tomorrow at midnight", D(2026, 11, 26), "00:00"),
    ("at 8:30 am on monday", D(2026, 11, 30), "08:30"),
]
Reader = Callable[[str], tuple[date, str | None] | None]


def ours(phrase: str) -> tuple[date, str | None] | None:
    try:
        due = parse_due(phrase, WED)
    except ValueError:
        return None
    return due.day, due.time


def with_dateparser(phrase: str) -> tuple[date, str | None] | None:
    dateparser = pytest.importorskip("dateparser")
    found = dateparser.parse(phrase, settings={
        "RELATIVE_BASE": NOON, "PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY"})
    return (found.date(), found.strftime("%H:%M")) if found else None


def with_parsedatetime(phrase: str) -> tuple[date, str | None] | None:
    parsedatetime = pytest.importorskip("parsedatetime")
    calendar = parsedatetime.Calendar(version=parsedatetime.VERSION_CONTEXT_STYLE)
    found, context = calendar.parseDT(phrase, sourceTime=NOON)
    return (found.date(), found.strftime("%H:%M")) if context.hasDateOrTime else None


def score(reader: Reader) -> int:
    """Phrases read right: the date, and the time where the phrase gives one."""
    right = 0
    for phrase, day, time in PHRASES:
        got = reader(phrase)
        right += bool(got and got[0] == day and (time is None or got[1] == time))
    return right


def test_the_project_parser_reads_the_corpus_due_phrases_better_than_the_libraries():
    scores = {name: score(reader) for name, reader in (
        ("tasks/dates.py", ours), ("dateparser", with_dateparser),
        ("parsedatetime", with_parsedatetime))}
    print(f"due phrases read right of {len(PHRASES)}:", scores)
    assert scores["tasks/dates.py"] == len(PHRASES)
    assert scores["tasks/dates.py"] > max(scores["dateparser"], scores["parsedatetime"])
