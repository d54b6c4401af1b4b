"""Finding a task the way people name it: by id, or by an unambiguous piece of its title.

Order: a UUID is looked up by id (another user's id is simply "not found"); otherwise
a case-insensitive exact title match wins; otherwise a title containing the words.
More than one candidate at the deciding step raises :class:`AmbiguousTask`.
"""
from __future__ import annotations

import re

from taskpulse.db.models import Task
from taskpulse.tasks.service import TaskNotFound, parse_uuid

_QUOTES = "\"'`‘’“”"


class AmbiguousTask(LookupError):
    """Several tasks match the name; ``matches`` lets the agent ask which one."""

    def __init__(self, ref: str, matches: list[Task]) -> None:
        super().__init__(ref)
        self.ref = ref
        self.matches = matches


def normalise(text: str) -> str:
    return " ".join(text.casefold().strip().strip(_QUOTES).split())


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


async def resolve_task(user_id: str, ref: str) -> Task:
    """The user's task named by ``ref``; raises TaskNotFound or AmbiguousTask."""
    ref = str(ref or "").strip().strip(_QUOTES).strip()
    if not ref:
        raise TaskNotFound(ref)
    tid = parse_uuid(ref)
    if tid is not None:
        task = await Task.get_or_none(id=tid, owner_id=user_id)
        if task is None:
            raise TaskNotFound(ref)
        return task
    wanted = normalise(ref)
    tasks = await Task.filter(owner_id=user_id).order_by("created_at")
    exact = [t for t in tasks if normalise(t.title) == wanted]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise AmbiguousTask(ref, exact)
    partial = [t for t in tasks if wanted in normalise(t.title)]
    if not partial:
        words = _words(ref)
        if words:
            partial = [t for t in tasks if all(w in _words(t.title) for w in words)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise AmbiguousTask(ref, partial)
    raise TaskNotFound(ref)
