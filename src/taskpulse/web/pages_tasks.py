"""The task board page: list, add, complete, edit, delete — all as plain forms.

Every change goes through the task service (so it is published to every open tab).
Success answers 303 to the board (POST-redirect-GET); invalid input re-renders the
board with the errors next to the fields (422), keeping what the user typed.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from taskpulse.keys import TASKS
from taskpulse.tasks.dates import relative_day
from taskpulse.tasks.schemas import TaskCreate, TaskQuery, TaskUpdate
from taskpulse.tasks.service import TaskNotFound
from taskpulse.tasks.views import task_dict
from taskpulse.web.pages_common import (Session, check_form, page_error, read_form, render,
                                        require_session, see_other, socket_context,
                                        validate_form)

# (query value, label) — the API's status names, the UI's words.
FILTERS = (("all", "All"), ("pending", "Open"), ("completed", "Done"))
PRIORITIES = ("low", "medium", "high")
TASK_FIELDS = ("title", "description", "due_date", "due_time", "priority")


def _with_time_error(form: dict[str, str], errors: dict[str, str]) -> dict[str, str]:
    """A time without a date fails the whole model; the form shows it at the time field."""
    if form.get("due_time") and not form.get("due_date"):
        errors.pop("form", None)
        errors["due_time"] = "Pick a due date for this time."
    return errors


def _status(value: str | None) -> str:
    return value if value in dict(FILTERS) else "all"


def _board_url(status: str, anchor: str = "") -> str:
    url = "/tasks" if status == "all" else f"/tasks?status={status}"
    return url + (f"#{anchor}" if anchor else "")


def _task_input(form: dict[str, str]) -> dict[str, Any]:
    """Form strings -> model input: blanks mean 'no value' for the optional fields."""
    data: dict[str, Any] = {"title": form.get("title", "")}
    data["description"] = form.get("description", "")
    data["due_date"] = form.get("due_date") or None
    data["due_time"] = form.get("due_time") or None
    if form.get("priority"):
        data["priority"] = form["priority"]
    return data


def due_label(due: str | None, completed: bool, today: date) -> dict[str, Any] | None:
    """"Due tomorrow", "Due Fri", "Overdue · Nov 20" (the same words as static/js/board_rows.js)."""
    if not due:
        return None
    day = date.fromisoformat(due)
    when = relative_day(day, today)          # the chat's words too (tasks/dates.py)
    overdue = day < today and not completed
    return {"text": f"Overdue · {when}" if overdue else f"Due {when}", "overdue": overdue,
            "iso": due}


async def _board(request: web.Request, session: Session, status: str, *,
                 add_form: dict[str, str] | None = None, add_errors: dict[str, str] | None = None,
                 edit_id: str = "", edit_form: dict[str, str] | None = None,
                 edit_errors: dict[str, str] | None = None, http_status: int = 200
                 ) -> web.Response:
    socket = await socket_context(request, session)  # stream position before the data
    service = request.app[TASKS]
    every = [task_dict(t) for t in await service.list(
        session.user_id, TaskQuery(limit=500))]
    today = date.today()
    shown = [{**t, "due": due_label(t["due_date"], t["completed"], today)} for t in every
             if status == "all" or t["completed"] == (status == "completed")]
    done = sum(1 for t in every if t["completed"])
    context: dict[str, Any] = {
        "tasks": shown, "all_tasks": every,
        "counts": {"total": len(every), "completed": done, "pending": len(every) - done},
        "filters": FILTERS, "status": status, "priorities": PRIORITIES,
        "add_form": add_form or {"title": "", "description": "", "due_date": "", "due_time": "",
                                 "priority": "medium"},
        "add_errors": add_errors or {}, "edit_id": edit_id, "edit_form": edit_form or {},
        "edit_errors": edit_errors or {},
    }
    return await render(request, "tasks.html", context, session, status=http_status,
                        socket=socket)


async def tasks_page(request: web.Request) -> web.StreamResponse:
    session = await require_session(request)
    return await _board(request, session, _status(request.query.get("status")))


async def _post(request: web.Request) -> tuple[Session, dict[str, str], str]:
    session = await require_session(request)
    form = await read_form(request)
    check_form(request, form, session)
    return session, form, _status(form.get("status"))


async def task_add(request: web.Request) -> web.StreamResponse:
    session, form, status = await _post(request)
    data, errors = validate_form(TaskCreate, _task_input(form))
    if data is None:
        add_form = {k: form.get(k, "") for k in TASK_FIELDS}
        errors = _with_time_error(form, errors)
        return await _board(request, session, status, add_form=add_form, add_errors=errors,
                            http_status=422)
    task = await request.app[TASKS].create(session.user_id, data)
    raise see_other(_board_url(status, f"task-{task.id}"))


async def task_toggle(request: web.Request) -> web.StreamResponse:
    session, form, status = await _post(request)
    completed = form.get("completed", "true") == "true"  # the state asked for: idempotent
    try:
        await request.app[TASKS].set_completed(session.user_id, request.match_info["task_id"],
                                               completed)
    except TaskNotFound:
        raise _not_found(request) from None
    raise see_other(_board_url(status, "task-" + request.match_info["task_id"]))


async def task_edit(request: web.Request) -> web.StreamResponse:
    session, form, status = await _post(request)
    task_id = request.match_info["task_id"]
    data, errors = validate_form(TaskUpdate, _task_input(form))
    if data is None:
        edit_form = {k: form.get(k, "") for k in TASK_FIELDS}
        return await _board(request, session, status, edit_id=task_id, edit_form=edit_form,
                            edit_errors=_with_time_error(form, errors), http_status=422)
    try:
        await request.app[TASKS].update(session.user_id, task_id, data)
    except TaskNotFound:
        raise _not_found(request) from None
    raise see_other(_board_url(status, f"task-{task_id}"))


async def task_delete(request: web.Request) -> web.StreamResponse:
    session, form, status = await _post(request)
    try:
        await request.app[TASKS].delete(session.user_id, request.match_info["task_id"])
    except TaskNotFound:
        raise _not_found(request) from None
    raise see_other(_board_url(status))


def _not_found(request: web.Request) -> web.HTTPException:
    return page_error(request, 404, "Task not found",
                      "That task does not exist (it may have just been deleted).")
