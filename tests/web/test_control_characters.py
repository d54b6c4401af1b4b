"""NUL and other control characters are refused with a clear error at every web entry
point — the JSON API, the board's forms, the sign-up and log-in forms — and never stored."""
from __future__ import annotations

import pytest

from taskpulse.db.models import Task, User
from taskpulse.tasks.schemas import TaskCreate, text_problem
from tests.web.api_helpers import error_of, list_titles, new_task, tasks_url
from tests.web.pages_helpers import PASSWORD, field_errors, post_form, sign_up_page


@pytest.mark.parametrize("text, problem", [
    ("a\x00b", "must not contain NUL characters"),
    ("bell\x07", "must not contain control characters (found U+0007)"),
    ("esc\x1b[31m", "must not contain control characters (found U+001B)"),
    ("del\x7f", "must not contain control characters (found U+007F)"),
    ("tab\tnew\nline\r\n", None),
    ("émoji ✓ 中文", None),
    ("next\u0085line", "must not contain control characters (found U+0085)"),
    ("csi\u009b31m", "must not contain control characters (found U+009B)"),
    ("pay\u202egnp.exe", "must not contain bidirectional override characters (found U+202E)"),
    ("\u2066isolate\u2069",
     "must not contain bidirectional override characters (found U+2066)"),
    ("\u00a0no-break space, \u200fRLM mark, \u05e9\u05dc\u05d5\u05dd", None),
])
def test_the_text_rule(text, problem):
    assert text_problem(text) == problem


@pytest.mark.parametrize("title", ["a\u202eb", "a\u0085b", "a\u009bb"])
async def test_the_json_api_refuses_c1_controls_and_bidi_overrides(client, signup, title):
    acct = await signup()
    error = await error_of(await client.post(tasks_url(acct), json={"title": title},
                                             headers=acct.headers), 422)
    assert error["fields"][0]["field"] == "title"
    assert await list_titles(client, acct) == []


def test_the_task_schema_itself_refuses_control_characters():
    with pytest.raises(ValueError, match="NUL"):
        TaskCreate(title="a\x00b")
    with pytest.raises(ValueError, match="control characters"):
        TaskCreate(title="ok", description="page\x0cbreak")


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
@pytest.mark.parametrize("method, body, field", [
    ("POST", {"title": "ring\x07"}, "title"),
    ("POST", {"title": "ok", "description": "x\x1by"}, "description"),
    ("PATCH", {"title": "a\x0bb"}, "title"),
    ("PUT", {"title": "ok", "description": "\x08"}, "description"),
])
async def test_the_json_api_refuses_control_characters_with_422(
        client, signup, method, body, field):
    acct = await signup()
    task = await new_task(client, acct, title="keep")
    url = tasks_url(acct) if method == "POST" else tasks_url(acct, task["id"])
    error = await error_of(await client.request(method, url, json=body,
                                                headers=acct.headers), 422)
    assert error["code"] == "validation_error"
    assert error["fields"] == [{"field": field, "message": error["fields"][0]["message"]}]
    assert "control characters (found U+" in error["message"]
    assert await list_titles(client, acct) == ["keep"]


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
@pytest.mark.parametrize("form, message", [
    ({"title": "a\x00b"}, "Must not contain NUL characters."),
    ({"title": "ok", "description": "bell\x07"},
     "Must not contain control characters (found U+0007)."),
])
async def test_the_board_add_form_refuses_control_characters_with_422(client, form, message):
    user_id = await sign_up_page(client)
    resp = await post_form(client, "/tasks", {"priority": "medium", **form})
    assert resp.status == 422
    assert message in field_errors(await resp.text())
    assert await Task.filter(owner_id=user_id).count() == 0


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_the_board_edit_form_refuses_a_nul_character_with_422(client):
    user_id = await sign_up_page(client)
    await post_form(client, "/tasks", {"title": "Buy milk", "priority": "medium"})
    task = await Task.get(owner_id=user_id)
    resp = await post_form(client, f"/tasks/{task.id}/edit", {
        "title": "Buy\x00milk", "description": "", "due_date": "", "priority": "medium"})
    assert resp.status == 422
    assert "Must not contain NUL characters." in field_errors(await resp.text())
    await task.refresh_from_db()
    assert task.title == "Buy milk"


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_the_signup_and_login_forms_refuse_a_nul_character(client):
    resp = await client.post("/signup", data={"name": "Ann\x00", "email": "ann@example.com",
                                              "password": PASSWORD}, allow_redirects=False)
    assert resp.status == 422
    assert "Must not contain NUL characters." in field_errors(await resp.text())
    assert await User.all().count() == 0
    resp = await client.post("/login", data={"email": "ann\x00@example.com",
                                             "password": PASSWORD}, allow_redirects=False)
    assert resp.status == 422
    assert "Must not contain NUL characters." in field_errors(await resp.text())
