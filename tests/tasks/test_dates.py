"""Due dates in words, relative to a fixed day (Wednesday 2026-11-25)."""
from __future__ import annotations

from datetime import date

import pytest

from taskpulse.tasks.dates import DATE_PHRASE, describe_due, parse_due_date

WED = date(2026, 11, 25)


@pytest.mark.parametrize("said, expected", [
    ("2026-12-01", date(2026, 12, 1)), ("2027/01/05", date(2027, 1, 5)),
    ("today", WED), ("tonight", WED), ("Tomorrow", date(2026, 11, 26)),
    ("day after tomorrow", date(2026, 11, 27)),
    ("friday", date(2026, 11, 27)), ("this friday", date(2026, 11, 27)),
    ("next friday", date(2026, 11, 27)), ("wednesday", WED),
    ("next wednesday", date(2026, 12, 2)), ("on monday", date(2026, 11, 30)),
    ("by tue", date(2026, 12, 1)),
    ("in 3 days", date(2026, 11, 28)), ("in a week", date(2026, 12, 2)),
    ("in two weeks", date(2026, 12, 9)), ("in 1 month", date(2026, 12, 25)),
    ("next week", date(2026, 12, 2)), ("next month", date(2026, 12, 25)),
    ("end of the month", date(2026, 11, 30)), ("the weekend", date(2026, 11, 28)),
    ("Dec 3rd", date(2026, 12, 3)), ("3 december 2027", date(2027, 12, 3)),
    ("march 1", date(2027, 3, 1)),                       # already past this year: next year
    ("due in 10 days", date(2026, 12, 5)),
])
def test_due_dates_in_words(said, expected):
    assert parse_due_date(said, WED) == expected


@pytest.mark.parametrize("said", ["soon", "whenever", "2026-13-40", "feb 30", "in many days",
                                  ""])
def test_unclear_dates_are_errors_with_a_hint(said):
    with pytest.raises(ValueError, match="next friday"):
        parse_due_date(said, WED)


@pytest.mark.parametrize("sentence, phrase", [
    ("buy milk tomorrow", "tomorrow"), ("call mom next friday", "next friday"),
    ("pay rent in 3 days", "in 3 days"), ("renew passport due 2026-12-01", "2026-12-01"),
    ("read the report", None),
])
def test_date_phrases_are_found_in_sentences(sentence, phrase):
    m = DATE_PHRASE.search(sentence)
    assert (m["when"] if m else None) == phrase


def test_due_dates_are_described_relative_to_today():
    assert describe_due(WED, WED) == "today"
    assert describe_due(date(2026, 11, 26), WED) == "tomorrow"
    assert describe_due(date(2026, 11, 27), WED) == "Fri"          # this week: the weekday
    assert describe_due(date(2026, 12, 4), WED) == "Dec 4"         # as the board says it
    assert describe_due(date(2027, 1, 4), WED) == "Jan 4, 2027"    # another year: with it
    assert describe_due(date(2026, 11, 20), WED) == "Nov 20"
    assert describe_due(None, WED) == "no due date"
