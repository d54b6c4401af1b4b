"""Selections: which phrases pick tasks by status, date or priority, and which name tasks."""
from __future__ import annotations

from datetime import date

import pytest

from taskpulse.agent.offline.selection import Selection, parse_selection

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize("phrase, selection", [
    ("everything i've completed", Selection("completed")),
    ("all my overdue tasks", Selection("pending", "overdue")),
    ("the done ones", Selection("completed")),
    ("everything due today", Selection("all", "today")),
    ("all high priority tasks", Selection("all", "", "high")),
    ("everything with no due date", Selection("all", "undated")),
    ("my list", Selection()),
])
def test_selections(phrase, selection):
    assert parse_selection(phrase) == selection


@pytest.mark.parametrize("phrase", ["the laundry", "the laundry task", "task 2",
                                    "all the milk tasks", "the new one"])
def test_phrases_that_name_tasks_are_no_selection(phrase):
    assert parse_selection(phrase) is None


def test_a_selection_picks_by_status_date_and_priority():
    overdue = Selection("pending", "overdue")
    assert overdue.picks({"due_date": "2026-11-24", "completed": False}, TODAY)
    assert not overdue.picks({"due_date": "2026-11-25", "completed": False}, TODAY)
    assert not overdue.picks({"due_date": "2026-11-24", "completed": True}, TODAY)
    assert Selection(priority="high").picks({"priority": "high"}, TODAY)
    assert not Selection(due="undated").picks({"due_date": "2026-11-24"}, TODAY)
