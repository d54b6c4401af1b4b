"""What one request asks for (:class:`Intent`), and how a due phrase fills its fields."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from taskpulse.agent.offline.refs import Ref
from taskpulse.tasks.dates import DATE_PHRASE, TIME

IC = re.IGNORECASE
_ONLY_TIME = re.compile(r"(?:at|@|around|by)?\s*(?:" + TIME + r"|\d{1,2})", IC)


@dataclass
class Intent:
    kind: str      # add list complete delete update complete_all delete_all confirm deny
    #                help greet thanks unclear
    ref: Ref = field(default_factory=Ref)
    title: str = ""            # add: the title; update: the new title
    titles: list[str] = field(default_factory=list)    # add: several tasks at once
    # add, several tasks: each title's own (due, due_time) — blanks take the shared ones
    dues: list[tuple[str, str]] = field(default_factory=list)
    description: str = ""
    due: str = ""              # a due phrase ("tomorrow at 5pm"); "none" removes it
    due_time: str = ""         # a time alone ("5pm"), for the task's current date
    priority: str = ""
    shift_days: int = 0        # "postpone it by a week": 7
    completed: bool = True
    status: str = "all"
    due_within_days: int | None = None
    limit: int | None = None
    text: str = ""


def is_due_phrase(text: str) -> bool:
    return DATE_PHRASE.fullmatch(text.strip()) is not None


def set_when(intent: Intent, phrase: str) -> None:
    """A due phrase into ``due`` (a date, maybe with a time) or ``due_time`` (a time)."""
    phrase = " ".join(phrase.split())
    if _ONLY_TIME.fullmatch(phrase):
        intent.due_time = re.sub(r"^(?:at|@|around|by)\s*", "", phrase, flags=IC)
    else:
        intent.due = phrase
