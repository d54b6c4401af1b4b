"""The task service: every task change goes through here, and its event commits with it
(the outbox, ``delivery/outbox.py``) and is published once the change is saved."""
from __future__ import annotations

import builtins
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from tortoise import timezone as tz
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from taskpulse.db.models import Task
from taskpulse.delivery.outbox import Outbox
from taskpulse.protocol.events import TaskCreated, TaskData, TaskDeleted, TaskUpdated
from taskpulse.tasks.schemas import StatusFilter, TaskCreate, TaskQuery, TaskUpdate
from taskpulse.tasks.views import task_data

log = logging.getLogger(__name__)


class TaskNotFound(LookupError):
    """No such task for this user (another user's task is reported the same way)."""


#: Called after each item of a bulk change with (done, total).
Progress = Callable[[int, int], Awaitable[None]]


@dataclass(frozen=True)
class BulkResult:
    changed: int     # tasks changed (or deleted)
    skipped: int     # matched the filter but were already in the wanted state
    total: int       # matched the filter


def _sort_key(task: Task) -> tuple[bool, date, str, float]:
    """Due date and time ascending (no date last, no time last in its day), then newest
    first."""
    return (task.due_date is None, task.due_date or date.max, task.due_time or "24:00",
            -task.created_at.timestamp())


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, AttributeError, TypeError):
        return None


class TaskService:
    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    async def list(self, user_id: str, query: TaskQuery | None = None) -> list[Task]:
        query = query or TaskQuery()
        qs = Task.filter(owner_id=user_id)
        if query.status == "pending":
            qs = qs.filter(completed=False)
        elif query.status == "completed":
            qs = qs.filter(completed=True)
        if query.due_within_days is not None:
            today = datetime.now(timezone.utc).date()
            qs = qs.filter(due_date__lte=today + timedelta(days=query.due_within_days))
        tasks = sorted(await qs, key=_sort_key)
        return tasks[: query.limit]

    async def counts(self, user_id: str) -> dict[str, int]:
        rows = await Task.filter(owner_id=user_id).annotate(n=Count("id")).group_by(
            "completed").values("completed", "n")
        done = sum(r["n"] for r in rows if r["completed"])
        pending = sum(r["n"] for r in rows if not r["completed"])
        return {"total": done + pending, "pending": pending, "completed": done}

    async def get(self, user_id: str, task_id: str) -> Task:
        tid = parse_uuid(task_id)
        task = await Task.get_or_none(id=tid, owner_id=user_id) if tid else None
        if task is None:
            raise TaskNotFound(task_id)
        return task

    async def create(self, user_id: str, data: TaskCreate) -> Task:
        async with in_transaction():
            task = await Task.create(owner_id=user_id, **data.model_dump())
            pending = await self._outbox.add(user_id, TaskCreated(task=task_data(task)))
        await self._outbox.deliver([pending])
        return task

    async def update(self, user_id: str, task_id: str, data: TaskUpdate | TaskCreate) -> Task:
        # PUT (TaskCreate) replaces every field; PATCH (TaskUpdate) only what was sent.
        # A change to nothing (``{}``, or every value as it already is) saves nothing,
        # keeps ``updated_at`` and publishes no event: the task comes back unchanged.
        changes = data.model_dump(exclude_unset=not isinstance(data, TaskCreate))
        async with in_transaction():
            task = await self.get(user_id, task_id)
            changed = {k: v for k, v in changes.items() if getattr(task, k) != v}
            if not changed:
                return task
            if not await self._save_if_there(task, changed):
                raise TaskNotFound(task_id)      # deleted meanwhile
            pending = await self._outbox.add(user_id, TaskUpdated(task=task_data(task)))
        await self._outbox.deliver([pending])
        return task

    async def set_completed(self, user_id: str, task_id: str, completed: bool) -> Task:
        return await self.update(user_id, task_id, TaskUpdate(completed=completed))

    async def delete(self, user_id: str, task_id: str) -> TaskData:
        task = await self.get(user_id, task_id)
        snapshot = task_data(task)
        async with in_transaction():
            if not await Task.filter(id=task.id).delete():
                raise TaskNotFound(task_id)      # deleted meanwhile: its event went out then
            pending = await self._outbox.add(
                user_id, TaskDeleted(task_id=snapshot.id, task=snapshot))
        await self._outbox.deliver([pending])
        return snapshot

    @staticmethod
    async def _save_if_there(task: Task, changes: dict[str, Any],
                             **expect: Any) -> bool:
        """Save ``changes`` (and a new ``updated_at``) only if the row still exists (and
        still has the ``expect`` values); False, changing nothing, otherwise."""
        now = tz.now()
        rows = await Task.filter(id=task.id, **expect).update(**changes, updated_at=now)
        if not rows:
            return False
        for key, value in changes.items():
            setattr(task, key, value)
        task.updated_at = now
        return True

    async def _matching(self, user_id: str, status: StatusFilter) -> builtins.list[Task]:
        qs = Task.filter(owner_id=user_id)
        if status != "all":
            qs = qs.filter(completed=status == "completed")
        return sorted(await qs, key=_sort_key)

    async def complete_many(self, user_id: str, completed: bool, status: StatusFilter = "all",
                            progress: Progress | None = None) -> BulkResult:
        """Mark every task matching ``status`` as ``completed``, one published change each."""
        candidates = await self._matching(user_id, status)
        targets = [t for t in candidates if t.completed != completed]
        changed, skipped, gone = 0, len(candidates) - len(targets), 0
        for done, task in enumerate(targets, start=1):
            # Only a row still there and not yet changed: a task deleted (or changed)
            # meanwhile gets no task_updated, which would bring it back in other tabs.
            async with in_transaction():
                saved = await self._save_if_there(task, {"completed": completed},
                                                  completed=not completed)
                pending = (await self._outbox.add(user_id, TaskUpdated(task=task_data(task)))
                           if saved else None)
            if pending is not None:
                changed += 1
                await self._outbox.deliver([pending])
            elif await Task.filter(id=task.id).exists():
                skipped += 1
            else:
                gone += 1
            if progress is not None:
                await progress(done, len(targets))
        return BulkResult(changed, skipped, len(candidates) - gone)

    async def delete_many(self, user_id: str, status: StatusFilter = "all",
                          progress: Progress | None = None) -> BulkResult:
        """Delete every task matching ``status``, one published change each."""
        targets = await self._matching(user_id, status)
        deleted = 0
        for done, task in enumerate(targets, start=1):
            snapshot = task_data(task)
            async with in_transaction():
                gone = await Task.filter(id=task.id).delete()    # not if deleted meanwhile
                pending = (await self._outbox.add(
                    user_id, TaskDeleted(task_id=snapshot.id, task=snapshot)) if gone else None)
            if pending is not None:
                deleted += 1
                await self._outbox.deliver([pending])
            if progress is not None:
                await progress(done, len(targets))
        return BulkResult(deleted, 0, deleted)
