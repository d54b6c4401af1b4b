"""Task changes racing each other: events only for rows actually changed or deleted."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

from taskpulse.db.models import Task
from taskpulse.keys import EVENT_LOG, TASKS
from taskpulse.protocol.events import TaskData
from taskpulse.tasks.schemas import TaskCreate, TaskUpdate
from taskpulse.tasks.service import TaskNotFound

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


async def events(app: Any, user_id: str) -> list[tuple[str, str]]:
    """(event name, task id) of every task event published to the user."""
    logged = await app[EVENT_LOG].since(user_id, "0-0") or []
    return [(e.name, e.data.get("task_id") or e.data["task"]["id"])
            for e in logged if e.name.startswith("task_")]


async def test_bulk_complete_racing_a_delete_publishes_no_update_for_deleted_tasks(
        app, client, signup):
    acct = await signup()
    service = app[TASKS]
    made = [await service.create(acct.user_id, TaskCreate(title=f"t{n}")) for n in range(3)]

    async def delete_all_after_the_first(done: int, total: int) -> None:
        if done == 1:       # another tab deletes every task mid-way
            for task in made:
                await service.delete(acct.user_id, str(task.id))

    result = await service.complete_many(acct.user_id, True,
                                         progress=delete_all_after_the_first)
    assert (result.changed, result.skipped, result.total) == (1, 0, 1)
    seen = await events(app, acct.user_id)
    for task in made:
        tid = str(task.id)
        after_delete = seen[seen.index(("task_deleted", tid)):]
        assert ("task_updated", tid) not in after_delete, seen
    assert [name for name, _ in seen].count("task_updated") == 1
    assert await Task.filter(owner_id=acct.user_id).count() == 0


async def test_bulk_complete_skips_a_task_completed_meanwhile(app, client, signup):
    acct = await signup()
    service = app[TASKS]
    made = [await service.create(acct.user_id, TaskCreate(title=f"t{n}")) for n in range(2)]

    async def complete_the_rest(done: int, total: int) -> None:
        if done == 1:
            for task in made:
                await service.update(acct.user_id, str(task.id), TaskUpdate(completed=True))

    result = await service.complete_many(acct.user_id, True, progress=complete_the_rest)
    assert (result.changed, result.skipped, result.total) == (1, 1, 2)
    assert [n for n, _ in await events(app, acct.user_id)].count("task_updated") == 2


async def test_a_double_delete_publishes_task_deleted_once(app, client, signup):
    acct = await signup()
    service = app[TASKS]
    task = await service.create(acct.user_id, TaskCreate(title="once"))
    outcomes = await asyncio.gather(
        *(service.delete(acct.user_id, str(task.id)) for _ in range(2)),
        return_exceptions=True)
    assert sum(isinstance(o, TaskData) for o in outcomes) == 1
    assert sum(isinstance(o, TaskNotFound) for o in outcomes) == 1
    assert [n for n, _ in await events(app, acct.user_id)].count("task_deleted") == 1
