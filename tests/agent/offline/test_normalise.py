"""Typos are fixed where a slip cannot change a task's meaning, and only there."""
from __future__ import annotations

import pytest

from taskpulse.agent.offline.normalise import clean


@pytest.mark.parametrize("typed, read", [
    ("pls ad a reminder to feed teh cat", "add a reminder to feed the cat"),
    ("could you pls delte the laundry thanks", "delete the laundry"),
    ("mrak the dishes done", "mark the dishes done"),
    ("remind me tomorow to call mom", "remind me tomorrow to call mom"),
    ("what's due on thrusday?", "what's due on thursday?"),
    ("oops, reopen the tax return", "reopen the tax return"),
])
def test_slips_in_commands_and_keywords_are_fixed(typed, read):
    assert clean(typed) == read


@pytest.mark.parametrize("typed", ["feed the cat", "park the car", "post an ad", "call dad",
                                   "remember to buy stamps", 'add "teh thing"'])
def test_words_of_titles_and_quoted_text_are_left_alone(typed):
    assert clean(typed) == typed
