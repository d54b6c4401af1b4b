"""A change that changes nothing saves nothing: no ``task_updated`` event, same ``updated_at``,
and the unchanged task in the answer — whichever way the change comes in."""
from __future__ import annotations

import asyncio

import pytest

from taskpulse.keys import EVENT_LOG
from tests.web.api_helpers import new_task, tasks_url
from tests.web.pages_helpers import post_form, sign_up_page


async def updates(app, user_id: str) -> list[dict]:
    logged = await app[EVENT_LOG].since(user_id, "0-0") or []
    return [e.data["task"] for e in logged if e.name == "task_updated"]


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
@pytest.mark.parametrize("method, suffix, body", [
    ("PATCH", "", {}),
    ("PATCH", "", {"title": "  Buy milk "}),                       # trimmed: the same
    ("PATCH", "", {"title": "Buy milk", "due_date": "2030-01-31", "priority": "high",
                   "description": "2 litres", "completed": False}),
    ("PUT", "", {"title": "Buy milk", "due_date": "2030-01-31", "priority": "high",
                 "description": "2 litres"}),
    ("PATCH", "/complete", {"completed": False}),
])
async def test_a_change_to_nothing_publishes_nothing_and_keeps_updated_at(
        client, app, signup, method, suffix, body):
    acct = await signup()
    task = await new_task(client, acct, title="Buy milk", due_date="2030-01-31",
                          priority="high", description="2 litres")
    await asyncio.sleep(0.01)          # a save now would give a later updated_at
    resp = await client.request(method, tasks_url(acct, task["id"], suffix), json=body,
                                headers=acct.headers)
    assert resp.status == 200, await resp.text()
    assert (await resp.json())["task"] == task
    assert await updates(app, acct.user_id) == []
    resp = await client.get(tasks_url(acct, task["id"]), headers=acct.headers)
    assert (await resp.json())["task"]["updated_at"] == task["updated_at"]


async def test_a_real_change_still_publishes_once_with_only_that_change(client, app, signup):
    acct = await signup()
    task = await new_task(client, acct, title="Buy milk", priority="high")
    await asyncio.sleep(0.01)
    resp = await client.patch(tasks_url(acct, task["id"]),
                              json={"title": "Buy milk", "priority": "low"},
                              headers=acct.headers)
    changed = (await resp.json())["task"]
    assert changed["priority"] == "low" and changed["title"] == "Buy milk"
    assert changed["updated_at"] > task["updated_at"]
    assert await updates(app, acct.user_id) == [changed]


async def test_the_board_form_saving_an_unchanged_task_publishes_nothing(client, app):
    user_id = await sign_up_page(client)
    await post_form(client, "/tasks", {"title": "Buy milk", "priority": "medium"})
    task = (await (await client.get(f"/api/{user_id}/tasks")).json())["tasks"][0]
    resp = await post_form(client, f"/tasks/{task['id']}/edit", {
        "title": "Buy milk", "description": "", "due_date": "", "priority": "medium"})
    assert resp.status == 303
    resp = await post_form(client, f"/tasks/{task['id']}/toggle", {"completed": "false"})
    assert resp.status == 303
    assert await updates(app, user_id) == []
