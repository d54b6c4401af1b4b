"""The tasks REST API on SQLite and PostgreSQL: every route, success and not-found."""
from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from tests.web.api_helpers import error_of, list_titles, new_task, tasks_url

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


async def test_create_returns_201_with_the_whole_task(client, signup):
    acct = await signup()
    resp = await client.post(tasks_url(acct), headers=acct.headers, json={
        "title": "  Buy milk ", "description": "2 litres", "due_date": "2030-05-01",
        "priority": "high"})
    assert resp.status == 201
    task = (await resp.json())["task"]
    assert task["title"] == "Buy milk"                       # trimmed
    assert (task["description"], task["due_date"], task["priority"], task["completed"]) == (
        "2 litres", "2030-05-01", "high", False)
    uuid.UUID(task["id"])
    created = datetime.fromisoformat(task["created_at"].replace("Z", "+00:00"))
    assert created.tzinfo is not None
    updated = datetime.fromisoformat(task["updated_at"].replace("Z", "+00:00"))
    assert 0 <= (updated - created).total_seconds() < 0.1    # the ORM stamps each field


async def test_create_fills_defaults(client, signup):
    acct = await signup()
    task = await new_task(client, acct, title="plain")
    assert (task["description"], task["due_date"], task["priority"], task["completed"]) == (
        "", None, "medium", False)


async def test_list_is_empty_for_a_new_user(client, signup):
    acct = await signup()
    resp = await client.get(tasks_url(acct), headers=acct.headers)
    assert await resp.json() == {"tasks": [], "total": 0, "pending": 0, "completed": 0}


async def test_list_sorts_by_due_date_then_newest_with_undated_last(client, signup):
    acct = await signup()
    await new_task(client, acct, title="undated old")
    await new_task(client, acct, title="due later", due_date="2030-03-01")
    await new_task(client, acct, title="due soon old", due_date="2030-01-01")
    await new_task(client, acct, title="due soon new", due_date="2030-01-01")
    await new_task(client, acct, title="undated new")
    assert await list_titles(client, acct) == [
        "due soon new", "due soon old", "due later", "undated new", "undated old"]


async def test_status_filter_and_counts(client, signup):
    acct = await signup()
    await new_task(client, acct, title="open")
    await new_task(client, acct, title="done", completed=True)
    assert await list_titles(client, acct, "?status=pending") == ["open"]
    assert await list_titles(client, acct, "?status=completed") == ["done"]
    assert sorted(await list_titles(client, acct, "?status=all")) == ["done", "open"]
    body = await (await client.get(tasks_url(acct) + "?status=pending",
                                   headers=acct.headers)).json()
    assert (body["total"], body["pending"], body["completed"]) == (2, 1, 1)


async def test_get_one_task(client, signup):
    acct = await signup()
    task = await new_task(client, acct, title="read me")
    resp = await client.get(tasks_url(acct, task["id"]), headers=acct.headers)
    assert resp.status == 200
    assert (await resp.json())["task"] == task


async def test_put_replaces_every_field(client, signup):
    acct = await signup()
    task = await new_task(client, acct, title="old", description="d", due_date="2030-01-01",
                          priority="high")
    resp = await client.put(tasks_url(acct, task["id"]), headers=acct.headers,
                            json={"title": "new"})
    assert resp.status == 200
    got = (await resp.json())["task"]
    assert (got["title"], got["description"], got["due_date"], got["priority"]) == (
        "new", "", None, "medium")
    assert got["created_at"] == task["created_at"]
    assert got["updated_at"] >= task["updated_at"]


async def test_patch_changes_only_what_is_sent(client, signup):
    acct = await signup()
    task = await new_task(client, acct, title="keep", description="d", due_date="2030-01-01")
    resp = await client.patch(tasks_url(acct, task["id"]), headers=acct.headers,
                              json={"priority": "low"})
    got = (await resp.json())["task"]
    assert (got["title"], got["description"], got["due_date"], got["priority"]) == (
        "keep", "d", "2030-01-01", "low")


async def test_patch_with_null_due_date_clears_it(client, signup):
    acct = await signup()
    task = await new_task(client, acct, due_date="2030-01-01")
    resp = await client.patch(tasks_url(acct, task["id"]), headers=acct.headers,
                              json={"due_date": None})
    assert (await resp.json())["task"]["due_date"] is None


async def test_complete_marks_done_and_back(client, signup):
    acct = await signup()
    task = await new_task(client, acct)
    url = tasks_url(acct, task["id"], "/complete")
    resp = await client.patch(url, headers=acct.headers, json={"completed": True})
    assert resp.status == 200 and (await resp.json())["task"]["completed"] is True
    resp = await client.patch(url, headers=acct.headers, json={"completed": False})
    assert (await resp.json())["task"]["completed"] is False
    resp = await client.patch(url, headers=acct.headers)      # no body: mark complete
    assert (await resp.json())["task"]["completed"] is True
    assert await list_titles(client, acct, "?status=completed") == ["a task"]


async def test_delete_returns_the_snapshot_then_the_task_is_gone(client, signup):
    acct = await signup()
    task = await new_task(client, acct, title="bye")
    resp = await client.delete(tasks_url(acct, task["id"]), headers=acct.headers)
    assert resp.status == 200
    assert (await resp.json())["task"]["title"] == "bye"
    await error_of(await client.get(tasks_url(acct, task["id"]), headers=acct.headers), 404)
    assert await list_titles(client, acct) == []


@pytest.mark.parametrize("task_id", [str(uuid.uuid4()), "not-a-uuid", "1"])
async def test_unknown_task_is_404_on_every_route(client, signup, task_id):
    acct = await signup()
    h = acct.headers
    calls = [client.get(tasks_url(acct, task_id), headers=h),
             client.put(tasks_url(acct, task_id), headers=h, json={"title": "x"}),
             client.patch(tasks_url(acct, task_id), headers=h, json={"title": "x"}),
             client.patch(tasks_url(acct, task_id, "/complete"), headers=h,
                          json={"completed": True}),
             client.delete(tasks_url(acct, task_id), headers=h)]
    for call in calls:
        error = await error_of(await call, 404)
        assert error["code"] == "task_not_found"


async def test_unicode_text_round_trips(client, signup):
    acct = await signup()
    title = "Café ☕ — 牛奶 🥛"
    task = await new_task(client, acct, title=title, description="ünïcödé\nline two")
    resp = await client.get(tasks_url(acct, task["id"]), headers=acct.headers)
    got = (await resp.json())["task"]
    assert (got["title"], got["description"]) == (title, "ünïcödé\nline two")


async def test_longest_allowed_text_is_accepted(client, signup):
    acct = await signup()
    task = await new_task(client, acct, title="t" * 255, description="d" * 2000)
    assert (len(task["title"]), len(task["description"])) == (255, 2000)


async def test_a_due_time_is_optional_kept_with_its_date_and_removed_with_it(client, signup):
    acct = await signup()
    assert (await new_task(client, acct, title="plain"))["due_time"] is None
    task = await new_task(client, acct, title="vet", due_date="2030-05-01", due_time="09:30")
    assert (task["due_date"], task["due_time"]) == ("2030-05-01", "09:30")
    url = f"{tasks_url(acct)}/{task['id']}"
    resp = await client.patch(url, headers=acct.headers, json={"due_date": "2030-05-02"})
    assert (await resp.json())["task"]["due_time"] == "09:30"      # a new day keeps the time
    resp = await client.patch(url, headers=acct.headers, json={"due_date": None})
    assert (await resp.json())["task"]["due_time"] is None         # no day, no time
    for bad in ({"title": "x", "due_time": "9:30", "due_date": "2030-05-01"},
                {"title": "x", "due_time": "24:00", "due_date": "2030-05-01"},
                {"title": "x", "due_time": "09:30"}):               # a time needs a date
        resp = await client.post(tasks_url(acct), headers=acct.headers, json=bad)
        assert resp.status == 422, bad


async def test_tasks_due_the_same_day_are_listed_by_time_then_those_without_one(client, signup):
    acct = await signup()
    for title, time in (("nine", "09:00"), ("any time", None), ("eight", "08:00")):
        await new_task(client, acct, title=title, due_date="2030-05-01", due_time=time)
    await new_task(client, acct, title="earlier day", due_date="2030-04-30")
    assert await list_titles(client, acct) == ["earlier day", "eight", "nine", "any time"]
