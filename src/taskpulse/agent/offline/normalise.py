"""Tidying what people type before it is read: polite wrappers, shorthand and typos.

Typos are fixed only where a slip cannot change the meaning of a task title: the first
word (the command: "ad" -> "add", "delte" -> "delete") and words the parser itself relies
on ("tomorow", "priorty", "evrything"). A title's own words are left alone, except for
the handful of everyday slips in :data:`SHORTHAND` ("teh" -> "the"). Distances come from
rapidfuzz (optimal string alignment: a swap of two letters is one slip).
"""
from __future__ import annotations

import re

from rapidfuzz import process
from rapidfuzz.distance import OSA

IC = re.IGNORECASE

#: Words that may start a request (typos of them are fixed in the first position).
COMMANDS = ("add", "create", "schedule", "remind", "delete", "remove", "erase", "mark",
            "complete", "finish", "finished", "reopen", "uncheck", "rename", "change", "move",
            "postpone", "reschedule", "show", "list", "display", "what", "what's", "which",
            "tick", "clear", "cancel", "prioritize", "deprioritize", "update", "done",
            "help", "throw", "stick", "pop")
#: Words the parser needs to see spelt right anywhere in a sentence.
KEYWORDS = ("tomorrow", "today", "tonight", "monday", "tuesday", "wednesday", "thursday",
            "friday", "saturday", "sunday", "january", "february", "september", "october",
            "november", "december", "priority", "everything", "completed", "finished",
            "overdue", "urgent", "important", "weekend", "morning", "evening", "afternoon",
            "deadline", "instead", "reschedule", "postpone")
#: Everyday shorthand and slips, fixed wherever they appear.
SHORTHAND = {"teh": "the", "hte": "the", "pls": "please", "plz": "please", "thx": "thanks",
             "u": "you", "ur": "your", "r": "are", "n": "and", "tmrw": "tomorrow",
             "tmr": "tomorrow", "tmw": "tomorrow", "2moro": "tomorrow", "2day": "today",
             "2nite": "tonight", "tonite": "tonight", "nxt": "next", "asap": "today",
             "im": "i'm", "ive": "i've", "dont": "don't", "cant": "can't", "isnt": "isn't",
             "whats": "what's", "thats": "that's", "em": "them", "pri": "priority",
             "prio": "priority", "evrything": "everything", "everythin": "everything",
             "wat": "what", "wot": "what", "wht": "what", "waht": "what"}
#: Shorthand only at the start (elsewhere "ad" may well be an advert).
FIRST_SHORTHAND = {"ad": "add", "del": "delete", "rm": "remove", "ls": "list",
                   "pls": "please", "plz": "please"}


def _slip(word: str, choices: tuple[str, ...]) -> str | None:
    """The choice ``word`` is a slip of: two swapped letters in a short word, one slip in a
    word of five letters or more, two in a long one. None when it is no slip of any."""
    if len(word) < 4 or not word.isalpha():
        return None
    allowed = 1 if len(word) <= 7 else 2
    found = process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=allowed)
    if found is None:
        return None
    choice = str(found[0])
    if len(word) == 4 and sorted(word) != sorted(choice):
        return None
    if found[1] > 1 and word[0] != choice[0]:      # two slips and another first letter
        return None
    return choice


def fix_word(word: str, first: bool) -> str:
    low = word.lower()
    if low in COMMANDS or low in KEYWORDS:
        return word
    if first and low in FIRST_SHORTHAND:
        return FIRST_SHORTHAND[low]
    if low in SHORTHAND:
        return SHORTHAND[low]
    return _slip(low, COMMANDS + KEYWORDS if first else KEYWORDS) or word


def fix_typos(text: str) -> str:
    """``text`` with slips in command words and keywords corrected; quoted text is kept."""
    parts = re.split(r"(\"[^\"]*\"|“[^”]*”)", text)
    first = True
    for n, part in enumerate(parts):
        if n % 2:
            first = False
            continue
        tokens = re.split(r"(\W+)", part)
        for i, token in enumerate(tokens):
            if token and re.match(r"\w", token):
                tokens[i] = fix_word(token, first)
                first = False
        parts[n] = "".join(tokens)
    return "".join(parts)


def clean(text: str) -> str:
    """One line, typos fixed, polite wrappers and trailing courtesies removed."""
    t = " ".join(str(text).split())
    t = fix_typos(t)
    t = re.sub(r"[.!]+$", "", t).strip()
    t = re.sub(r"^(?:(?:ok(?:ay)?|hey|hi|hello|hiya|please|pls|so|and|now|also|then|alright|oh|um|"
               r"right|actually|oops|whoops|sorry|hmm|ah|er|well)[,!]?\s+(?!there$))+", "", t,
               flags=IC)
    t = re.sub(r"^(?:can|could|would|will)\s+you\s+(?:please\s+)?", "", t, flags=IC)
    t = re.sub(r"^(?:i(?:'d| would) like (?:you )?to|i want (?:you )?to|help me|let's|lets|"
               r"go ahead and|just|quickly|please)\s+", "", t, flags=IC)
    t = re.sub(r"[,\s]+(?:please|pls|for me|thanks|thank you|thx|cheers|ta)$", "", t, flags=IC)
    return fix_typos(t.strip())      # again: the command may start later than it did
