"""Due dates in words, relative to a fixed day (Wednesday 2026-11-25)."""
from __future__ import annotations

from datetime import date

import pytest

from taskpulse.tasks.dates import (DATE_PHRASE, Due, describe_due, parse_due, parse_due_date,
                                   parse_time)

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


@pytest.mark.parametrize("said, day, time", [
    ("tomorrow at 5pm", date(2026, 11, 26), "17:00"),
    ("thursday at 9am", date(2026, 11, 26), "09:00"),
    ("5:30pm tomorrow", date(2026, 11, 26), "17:30"),
    ("at noon on friday", date(2026, 11, 27), "12:00"),
    ("tonight at 8", WED, "20:00"), ("at 5", WED, "17:00"), ("at 9", WED, "09:00"),
    ("17:00", WED, "17:00"), ("monday at 10", date(2026, 11, 30), "10:00"),
    ("tomorrow at midnight", date(2026, 11, 26), "00:00"),
    ("by the end of the month", date(2026, 11, 30), None),
    ("the 3rd of next month", date(2026, 12, 3), None),
    ("on the 1st", date(2026, 12, 1), None), ("the 30th", date(2026, 11, 30), None),
    ("25/12", date(2026, 12, 25), None), ("12/25", date(2026, 12, 25), None),
    ("03/04", date(2027, 4, 3), None),                   # day first when both could be months
    ("in a fortnight", date(2026, 12, 9), None), ("tmr", date(2026, 11, 26), None),
    ("friday next week", date(2026, 12, 4), None), ("end of next week", date(2026, 12, 4), None),
    ("next tues", date(2026, 12, 1), None),
])
def test_due_phrases_with_times_and_richer_dates(said, day, time):
    assert parse_due(said, WED) == Due(day, time)


@pytest.mark.parametrize("said", ["at 25", "13pm", "tomorrow at 9:75", "31/02"])
def test_impossible_times_and_dates_are_errors(said):
    with pytest.raises(ValueError, match="next friday"):
        parse_due(said, WED)


@pytest.mark.parametrize("said, read", [("5pm", "17:00"), ("5 PM", "17:00"), ("12am", "00:00"),
                                        ("12pm", "12:00"), ("9:05 a.m.", "09:05"),
                                        ("9 o'clock", "09:00"), ("noon", "12:00"),
                                        ("half five", None), ("13:60", None)])
def test_times_of_day(said, read):
    assert parse_time(said) == read


@pytest.mark.parametrize("sentence, phrase", [
    ("call the vet on thursday at 9am", "thursday at 9am"),
    ("pay rent by the end of the month", "the end of the month"),
    ("meeting at 5pm", "5pm"), ("add call dad at 10 tomorrow", "at 10 tomorrow"),
    ("tomorrow: pick up the parcel", "tomorrow"), ("buy 2 apples", None),
    ("read chapter 3 of the book", None),
])
def test_due_phrases_with_times_are_found_in_sentences(sentence, phrase):
    m = DATE_PHRASE.search(sentence)
    assert (m["when"] if m else None) == phrase
