"""New tasks: the title, the due phrase, the priority, and lists of several tasks."""
from __future__ import annotations

import pytest

from taskpulse.agent.offline.adding import parse_add, split_items


@pytest.mark.parametrize("title, items", [
    ("apples, pears and plums", ["apples", "pears", "plums"]),
    ("eggs, flour", ["eggs", "flour"]),
    ("call the plumber and book a table", ["call the plumber", "book a table"]),
    ("salt and pepper", ["salt and pepper"]),
    ("do the laundry and the ironing", ["do the laundry and the ironing"]),
])
def test_lists_are_split_and_pairs_of_words_are_not(title, items):
    assert split_items(title) == items


@pytest.mark.parametrize("said, title, due, due_time, priority", [
    ("add call the vet on thursday at 9am", "call the vet", "thursday at 9am", "", ""),
    ("remind me tomorrow to call the bank", "call the bank", "tomorrow", "", ""),
    ("add haircut at 4pm", "haircut", "", "4pm", ""),
    ("add pay the fine by friday, high priority", "pay the fine", "friday", "", "high"),
    ("add 'read the monday report'", "read the monday report", "", "", ""),
])
def test_an_add_reads_title_due_phrase_and_priority(said, title, due, due_time, priority):
    intent = parse_add(said)
    assert intent is not None
    assert (intent.title, intent.due, intent.due_time, intent.priority) == (
        title, due, due_time, priority)
