"""The example a clarification offers: the capability whose words are closest to what was
typed, filled in with the user's own words ("snooze laundry" -> "move laundry to friday at
9am"). Word likeness is rapidfuzz's."""
from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from taskpulse.tasks.dates import DATE_PHRASE

#: (what I can do, words that point at it, the example; {x} is the user's words)
CAPABILITIES = (
    ("add tasks", ("add", "new", "create", "remind", "need", "want", "remember", "make",
                   "put", "buy", "get", "call"), "add {x} tomorrow at 5pm"),
    ("show your tasks", ("show", "list", "see", "view", "what", "which", "open", "due",
                         "tasks", "agenda", "todo", "left", "how", "many"),
     "what's due this week?"),
    ("mark tasks done", ("done", "finish", "finished", "complete", "completed", "mark",
                         "tick", "check", "did", "crossed", "ticked"), "mark {x} done"),
    ("reopen tasks", ("reopen", "undo", "uncheck", "again", "undone", "back"), "reopen {x}"),
    ("delete tasks", ("delete", "remove", "cancel", "drop", "forget", "bin", "rid", "trash",
                      "erase", "clear", "wipe"), "delete {x}"),
    ("change due dates and times", ("move", "postpone", "later", "delay", "snooze",
                                    "reschedule", "date", "time", "when", "push",
                                    "tomorrow", "deadline", "earlier"),
     "move {x} to friday at 9am"),
    ("rename tasks", ("rename", "name", "title", "call", "retitle", "reword", "typo"),
     "rename {x} to {x} today"),
    ("set priorities", ("priority", "urgent", "important", "high", "low", "flag", "star",
                        "prioritise", "prioritize"), "make {x} high priority"),
)
_STOP = {"the", "a", "an", "my", "to", "of", "it", "is", "i", "me", "please", "can", "you",
         "and", "for", "on", "with", "that", "this", "be", "do", "want", "would", "like"}
GENERAL = ("add, list, complete, change or delete tasks", "add buy milk tomorrow at 5pm")


def _hits(words: list[str], triggers: tuple[str, ...]) -> int:
    return sum(1 for w in words
               if process.extractOne(w, triggers, scorer=fuzz.ratio, score_cutoff=80))


def capability(text: str) -> int | None:
    """The index in :data:`CAPABILITIES` of what ``text`` seems to ask for (None: no idea)."""
    words = re.findall(r"[a-z']+", text.lower())
    scored = [(_hits(words, triggers), i) for i, (_w, triggers, _e) in enumerate(CAPABILITIES)]
    best, index = max(scored, key=lambda s: (s[0], -s[1]))
    return index if best else None


def closest_example(text: str) -> tuple[str, str]:
    """(what I can do, an example) nearest to ``text``."""
    words = re.findall(r"[a-z']+", DATE_PHRASE.sub(" ", text.lower()))
    scored = [(_hits(words, triggers), i) for i, (_w, triggers, _e) in enumerate(CAPABILITIES)]
    best, index = max(scored, key=lambda s: (s[0], -s[1]))
    if best == 0:
        return GENERAL
    what, triggers, example = CAPABILITIES[index]
    own = [w for w in words if w not in _STOP and len(w) > 1 and not process.extractOne(
        w, triggers, scorer=fuzz.ratio, score_cutoff=80)][:4]
    return what, example.replace("{x}", " ".join(own) or "buy milk")
