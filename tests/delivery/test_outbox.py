"""The outbox (delivery/outbox.py): a task change and its event commit together; what a
process could not publish — it died, or publishing failed — is published by the sweep,
once, by one process; rows of a process that is still running are left to it."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from taskpulse.db.models import OutboxEvent, Task
from taskpulse.delivery.event_log import LoggedEvent
from taskpulse.delivery.outbox import GRACE_SECONDS, Outbox
from taskpulse.keys import OUTBOX
from taskpulse.processes import HOST, gone_of
from taskpulse.protocol.events import StreamEvent, TaskUpdated
from taskpulse.tasks.views import task_data
from tests.delivery.crashes import killed_after_commit
from tests.web.api_helpers import new_task

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


def dead_process_id() -> str:
    """The id of a process of this host that has exited."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return f"{HOST}:{proc.stdout.strip()}:gone"


async def age(row_id: int) -> None:
    """As if the row had waited past the grace period."""
    old = datetime.now(timezone.utc) - timedelta(seconds=GRACE_SECONDS + 1)
    await OutboxEvent.filter(id=row_id).update(created_at=old)


async def rows_left(count: int, timeout: float = 5) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while await OutboxEvent.all().count() != count:
        assert asyncio.get_running_loop().time() < deadline, "outbox rows left"
        await asyncio.sleep(0.05)


class FlakySink:
    """Publishing fails until ``working``; records what it published."""

    def __init__(self) -> None:
        self.working = False
        self.published: list[tuple[str, StreamEvent]] = []

    async def publish(self, user_id: str, event: StreamEvent) -> LoggedEvent | None:
        if not self.working:
            return None
        self.published.append((user_id, event))
        return LoggedEvent(f"{len(self.published)}-0", event.name, {})


async def _updated(client: Any, acct: Any) -> TaskUpdated:
    body = await new_task(client, acct, title="buy milk")
    task = await Task.get(id=body["id"])
    return TaskUpdated(task=task_data(task))


async def test_a_task_change_leaves_no_row_once_its_event_is_published(
        client, signup, open_tab):
    acct = await signup()
    tab = await open_tab(acct)
    await new_task(client, acct, title="buy milk")
    await tab.wait_stream(1)
    await rows_left(0)


async def test_settle_waits_for_the_deletes_of_published_rows(client, signup, app):
    acct = await signup()
    event = await _updated(client, acct)
    sink = FlakySink()
    sink.working = True
    outbox = Outbox(sink, app[OUTBOX].process_id, gone_of)
    async with in_transaction():
        pending = [await outbox.add(acct.user_id, event) for _ in range(3)]
    await outbox.deliver(pending)
    await outbox.settle()
    assert len(sink.published) == 3 and await OutboxEvent.all().count() == 0


async def test_an_event_whose_publish_failed_is_published_by_the_sweep(client, signup, app):
    acct = await signup()
    event = await _updated(client, acct)
    sink = FlakySink()
    outbox = Outbox(sink, app[OUTBOX].process_id, gone_of)
    async with in_transaction():
        pending = await outbox.add(acct.user_id, event)
    await outbox.deliver([pending])                      # fails: the row stays
    assert await OutboxEvent.filter(id=pending.row_id).exists()
    assert await outbox.sweep() == 0                     # not yet past the grace period
    sink.working = True
    await age(pending.row_id)
    assert await outbox.sweep() == 1
    assert sink.published == [(acct.user_id, event)]
    assert await OutboxEvent.all().count() == 0


async def test_a_rolled_back_change_leaves_no_event(client, signup, app):
    acct = await signup()
    event = await _updated(client, acct)
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await app[OUTBOX].add(acct.user_id, event)
            raise RuntimeError("the change failed")
    assert await OutboxEvent.all().count() == 0


async def test_the_events_of_a_dead_process_reach_the_tabs_and_a_live_ones_are_left(
        client, signup, open_tab, app):
    acct = await signup()
    event = await _updated(client, acct)
    tab = await open_tab(acct)
    live = Outbox(FlakySink(), f"{HOST}:{os.getppid()}:alive", gone_of)
    dead = Outbox(FlakySink(), dead_process_id(), gone_of)
    async with in_transaction():
        kept = await live.add(acct.user_id, event)
        left = await dead.add(acct.user_id, event)
    await age(kept.row_id)
    await age(left.row_id)
    assert await app[OUTBOX].sweep() == 1
    await tab.wait_stream(1)
    assert [name for name, _ in tab.stream()] == ["task_updated"]
    assert await OutboxEvent.filter(id=left.row_id).count() == 0
    assert await OutboxEvent.filter(id=kept.row_id).count() == 1


CRASHING_WRITER = """
    from taskpulse.tasks.schemas import TaskUpdate
    from taskpulse.tasks.service import TaskService

    async def main():
        await start()
        tasks = TaskService(Outbox(DiesOnPublish(), new_process_id(), gone_of))
        await tasks.update(sys.argv[1], sys.argv[2], TaskUpdate(completed=True))
"""


async def test_a_process_killed_between_commit_and_publish_delays_the_event_not_loses_it(
        client, signup, open_tab, app, database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("another process shares the database on PostgreSQL only")
    acct = await signup()
    body = await new_task(client, acct, title="buy milk")
    tab = await open_tab(acct)
    killed_after_commit(app, CRASHING_WRITER, acct.user_id, body["id"])
    assert (await Task.get(id=body["id"])).completed               # the change is saved
    await tab.wait_stream(1, timeout=GRACE_SECONDS + 10)           # ...and its event came
    [(name, data)] = tab.stream()
    assert name == "task_updated" and data["task"]["completed"] is True
    await rows_left(0)          # the sweep deletes the row once the event is published
