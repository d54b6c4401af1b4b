"""The offline agent's list replies say due dates the way the board does."""
from __future__ import annotations

from datetime import date

from taskpulse.agent.offline.replies import format_list

TODAY = date(2031, 6, 1)                                   # a Sunday


def listed(*tasks: dict) -> list[str]:
    reply = format_list({"success": True, "tasks": list(tasks), "status": "all"}, {}, TODAY)
    return reply.splitlines()[1:]


def test_due_dates_in_a_list_reply_match_the_board_labels():
    assert listed({"title": "a", "due_date": "2031-06-02"},
                  {"title": "b", "due_date": "2031-06-06"},
                  {"title": "c", "due_date": "2031-07-04", "priority": "high"},
                  {"title": "d", "due_date": "2032-01-05"}) == [
        "1. a — due tomorrow", "2. b — due Fri", "3. c — due Jul 4, high priority",
        "4. d — due Jan 5, 2032"]


def test_an_open_task_past_its_date_is_called_overdue_and_a_done_one_is_not():
    assert listed({"title": "late", "due_date": "2031-05-20"},
                  {"title": "done late", "due_date": "2031-05-31", "completed": True}) == [
        "1. late — overdue, was due May 20", "2. ✓ done late — due yesterday"]


def test_a_due_time_is_said_after_the_day():
    assert listed({"title": "vet", "due_date": "2031-06-05", "due_time": "09:30"}) == [
        "1. vet — due Thu at 09:30"]
