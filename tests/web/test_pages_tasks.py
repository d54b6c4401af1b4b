"""The task board without JavaScript: add, complete, edit, delete with plain forms."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from aiohttp import ClientSession, CookieJar

from taskpulse.db.models import Task
from taskpulse.keys import EVENT_LOG
from taskpulse.web.pages_tasks import due_label
from tests.web.pages_helpers import (board, csrf_of, field_errors, post_form, sign_up_page,
                                     task_ids, titles)


@pytest.fixture
async def ann(client):
    return await sign_up_page(client)


async def add(client, title: str, **fields: str) -> str:
    resp = await post_form(client, "/tasks", {"title": title, **fields})
    assert resp.status == 303, await resp.text()
    return resp.headers["Location"].split("#task-")[1]


async def test_adding_a_task_redirects_to_the_board_where_it_is_listed(client, ann):
    resp = await post_form(client, "/tasks", {"title": "buy milk", "due_date": "2031-01-02",
                                              "priority": "high", "description": "2 litres"})
    assert resp.status == 303
    assert re.fullmatch(r"/tasks#task-[0-9a-f-]{36}", resp.headers["Location"])
    html = await board(client)
    assert titles(html) == ["buy milk"]
    assert "Due Jan 2, 2031" in html and 'datetime="2031-01-02"' in html
    assert "prio-high" in html and "2 litres" in html
    assert "1 open · 0 done" in html


@pytest.mark.parametrize("form, message", [
    ({"title": ""}, "This field is required."),
    ({"title": "x" * 256}, "Use at most 255 characters."),
    ({"title": "ok", "due_date": "next tuesday"}, "Enter a date as YYYY-MM-DD."),
    ({"title": "ok", "priority": "urgent"}, "Choose one of: low, medium or high."),
])
async def test_invalid_input_is_shown_inline_and_nothing_is_saved(client, ann, form, message):
    resp = await post_form(client, "/tasks", form)
    html = await resp.text()
    assert resp.status == 422
    assert message in field_errors(html)
    assert task_ids(html) == []
    if form["title"] == "ok":
        assert 'value="ok"' in html            # what was typed is kept


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_toggle_sets_the_requested_state_and_filters_follow(client, ann):
    tid = await add(client, "water plants")
    await add(client, "call mum")
    resp = await post_form(client, f"/tasks/{tid}/toggle",
                           {"completed": "true", "status": "pending"})
    assert (resp.status, resp.headers["Location"]) == (303, f"/tasks?status=pending#task-{tid}")
    assert titles(await board(client, "?status=completed")) == ["water plants"]
    assert titles(await board(client, "?status=pending")) == ["call mum"]
    html = await board(client)
    assert "1 open · 1 done" in html and 'aria-current="page">All' in html
    again = await post_form(client, f"/tasks/{tid}/toggle", {"completed": "true"})
    assert again.status == 303                          # idempotent: still done
    assert titles(await board(client, "?status=completed")) == ["water plants"]
    await post_form(client, f"/tasks/{tid}/toggle", {"completed": "false"})
    assert titles(await board(client, "?status=completed")) == []


async def test_edit_changes_every_field_and_can_clear_the_due_date(client, ann):
    tid = await add(client, "draft", due_date="2030-05-05")
    resp = await post_form(client, f"/tasks/{tid}/edit", {
        "title": "final", "due_date": "", "priority": "low", "description": "notes"})
    assert resp.status == 303
    html = await board(client)
    assert titles(html) == ["final"]
    assert 'class="due"' not in html and "prio-low" in html and "notes" in html


async def test_invalid_edit_reopens_that_task_editor_with_the_error(client, ann):
    tid = await add(client, "keep me")
    resp = await post_form(client, f"/tasks/{tid}/edit", {"title": "  ", "priority": "low"})
    html = await resp.text()
    assert resp.status == 422
    assert "This field is required." in field_errors(html)
    row = html.split(f'id="task-{tid}"')[1]
    assert '<details class="edit" open>' in row
    assert titles(await board(client)) == ["keep me"]


async def test_delete_removes_the_task(client, ann):
    tid = await add(client, "temporary")
    resp = await post_form(client, f"/tasks/{tid}/delete", {"status": "completed"})
    assert (resp.status, resp.headers["Location"]) == (303, "/tasks?status=completed")
    assert task_ids(await board(client)) == []
    gone = await post_form(client, f"/tasks/{tid}/delete", {})
    assert gone.status == 404 and "Task not found" in await gone.text()


async def test_task_text_is_escaped_never_markup(client, ann):
    await add(client, "<img src=x onerror=alert(1)>", description="<script>alert(2)</script>")
    html = await board(client)
    assert "<img src=x" not in html and "<script>alert(2)" not in html
    assert titles(html) == ["<img src=x onerror=alert(1)>"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


async def test_another_users_task_cannot_be_changed_through_the_forms(client, ann):
    tid = await add(client, "ann's secret")
    # A second browser (its own cookies) on the same server.
    async with ClientSession(base_url=client.make_url(""),
                             cookie_jar=CookieJar(unsafe=True)) as bob:
        await _bob_tries(bob, tid)
    html = await board(client)
    assert titles(html) == ["ann's secret"] and "0 done" in html


async def _bob_tries(bob, tid: str) -> None:
    await sign_up_page(bob, "bob@example.com", "Bob")
    for action, data in (("toggle", {"completed": "true"}), ("edit", {"title": "pwned"}),
                         ("delete", {})):
        resp = await post_form(bob, f"/tasks/{tid}/{action}", data)
        assert resp.status == 404, action
    assert titles(await board(bob)) == []


async def test_forms_without_the_token_or_from_another_site_change_nothing(client, ann):
    tid = await add(client, "guarded")
    html = await board(client)
    token = csrf_of(html)
    for data, headers in (({"title": "forged"}, {}),
                          ({"title": "forged", "csrf_token": "0" * 40}, {}),
                          ({"title": "forged", "csrf_token": token},
                           {"Origin": "https://evil.example"}),
                          ({"title": "forged", "csrf_token": token},
                           {"Referer": "https://evil.example/page"})):
        resp = await client.post(f"/tasks/{tid}/edit", data=data, headers=headers,
                                 allow_redirects=False)
        assert resp.status == 403, (data, headers)
    resp = await client.post("/tasks", data={"title": "forged", "csrf_token": token},
                             headers={"Origin": "http://" + resp.url.host + ":1"})
    assert resp.status == 403
    assert titles(await board(client)) == ["guarded"]
    same_site = await client.post(f"/tasks/{tid}/edit", allow_redirects=False,
                                  data={"title": "fine", "csrf_token": token},
                                  headers={"Origin": str(client.make_url("")).rstrip("/")})
    assert same_site.status == 303


async def test_a_csrf_token_with_non_ascii_characters_is_refused_not_a_server_error(client, ann):
    tid = await add(client, "guarded")
    for token in ("é" * 40, "\u2603"):
        resp = await client.post(f"/tasks/{tid}/edit", allow_redirects=False,
                                 data={"title": "forged", "csrf_token": token})
        assert resp.status == 403, token
    resp = await client.post("/logout", data={"csrf_token": "ü"}, allow_redirects=False)
    assert resp.status == 403
    assert titles(await board(client)) == ["guarded"]


async def test_form_changes_go_through_the_task_service_and_are_published(client, app, ann):
    tid = await add(client, "live")
    await post_form(client, f"/tasks/{tid}/toggle", {"completed": "true"})
    await post_form(client, f"/tasks/{tid}/delete", {})
    events = await app[EVENT_LOG].since(ann, "0-0")
    assert [e.name for e in events] == ["task_created", "task_updated", "task_deleted"]


async def test_board_pages_are_not_cached_and_carry_a_strict_csp(client, ann):
    resp = await client.get("/tasks")
    assert resp.headers["Cache-Control"] == "no-store"
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


@pytest.mark.parametrize("offset, completed, text, overdue", [
    (0, False, "Due today", False),
    (1, False, "Due tomorrow", False),
    (-1, False, "Overdue · yesterday", True),
    (-1, True, "Due yesterday", False),                   # done: late no longer matters
    (3, False, "Due Wed", False),                          # within a week: the weekday
    (-30, False, "Overdue · May 2", True),
    (400, False, "Due Jul 5, 2032", False),                # another year: with the year
])
def test_due_dates_are_said_in_words_relative_to_today(offset, completed, text, overdue):
    today = date(2031, 6, 1)                               # a Sunday
    label = due_label((today + timedelta(days=offset)).isoformat(), completed, today)
    assert label == {"text": text, "overdue": overdue,
                     "iso": (today + timedelta(days=offset)).isoformat()}
    assert due_label(None, False, today) is None


async def test_an_open_task_past_its_due_date_is_marked_overdue(client, ann):
    past = (date.today() - timedelta(days=3)).isoformat()
    await add(client, "late one", due_date=past)
    html = await board(client)
    assert 'class="due is-overdue"' in html and "Overdue · " in html


async def test_a_due_time_is_shown_after_the_due_date(client, ann):
    task_id = await add(client, "call the vet", due_date="2031-01-02")
    await Task.filter(id=task_id).update(due_time="09:30")      # set by the API or the chat
    html = await board(client)
    assert "Due Jan 2, 2031 at 09:30" in html and 'datetime="2031-01-02T09:30"' in html
