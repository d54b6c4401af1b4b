"""The seven task tools. Each returns a structured ``{success, ..., message}`` result.

Every change goes through the :class:`TaskService` (so task events reach every tab) and
acts for ``ctx.user_id`` — the verified user of the request, never a model argument.
"""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, cast

from pydantic import ValidationError

from taskpulse.agent.steps import ToolStep, failure
from taskpulse.agent.tool_schemas import (ARGS, AddTaskArgs, CompleteAllArgs,
                                          CompleteTaskArgs, DeleteAllArgs, DeleteTaskArgs,
                                          ListTasksArgs, UpdateTaskArgs)
from taskpulse.agent.wording import plural, progress_message
from taskpulse.db.models import Task, ToolCall
from taskpulse.tasks.dates import Due, describe_due, parse_due, parse_time
from taskpulse.tasks.lookup import AmbiguousTask, resolve_task
from taskpulse.tasks.schemas import Priority, TaskCreate, TaskQuery, TaskUpdate
from taskpulse.tasks.service import TaskNotFound, TaskService
from taskpulse.tasks.views import task_brief

PRIORITY_WORDS = {"low": "low", "minor": "low", "routine": "low", "1": "low",
                  "medium": "medium", "med": "medium", "normal": "medium", "2": "medium",
                  "high": "high", "urgent": "high", "important": "high", "critical": "high",
                  "3": "high"}
CONFIRMATION_WINDOW = timedelta(minutes=15)


class ToolInputError(ValueError):
    """Bad input from the model, reported back as ``invalid_input``."""


@dataclass
class ToolContext:
    user_id: str
    run_id: str
    conversation_id: str
    tasks: TaskService
    today: date


def _priority(value: str | None) -> Priority | None:
    if value is None:
        return None
    word = str(value).strip().lower().removesuffix(" priority")
    if word not in PRIORITY_WORDS:
        raise ToolInputError(f"Priority must be low, medium or high, not {value!r}.")
    return cast(Priority, PRIORITY_WORDS[word])


NOTHING = ("", "none", "no date", "no time", "clear", "null")


def _due(value: str | None, today: date) -> Due | None:
    if value is None or str(value).strip().lower() in NOTHING:
        return None
    try:
        return parse_due(value, today)
    except ValueError as exc:
        raise ToolInputError(str(exc)) from None


def _time(value: str | None) -> str | None:
    """A due_time argument as "HH:MM" (None: remove it)."""
    if value is None or str(value).strip().lower() in NOTHING:
        return None
    word = str(value).strip().lower().removeprefix("at ").strip()
    found = parse_time(word)
    if found is None:
        raise ToolInputError(f"I couldn't understand the time {value!r}. Use 17:00 or 5pm.")
    return found


def _describe(task: Task, today: date) -> str:
    parts = []
    if task.due_date:
        parts.append(f"due {describe_due(task.due_date, today, task.due_time)}")
    if task.priority != "medium":
        parts.append(f"{task.priority} priority")
    return f' ({", ".join(parts)})' if parts else ""


async def _find(ctx: ToolContext, ref: str) -> Task:
    return await resolve_task(ctx.user_id, ref)


async def add_task(ctx: ToolContext, a: AddTaskArgs, step: ToolStep) -> dict[str, Any]:
    due = _due(a.due_date, ctx.today)
    time = _time(a.due_time) if a.due_time is not None else (due.time if due else None)
    day = due.day if due else (ctx.today if time else None)
    data = TaskCreate(title=a.title, description=a.description, due_date=day, due_time=time,
                      priority=_priority(a.priority) or "medium")
    task = await ctx.tasks.create(ctx.user_id, data)
    return {"success": True, "task": task_brief(task),
            "message": f'Added "{task.title}"{_describe(task, ctx.today)}.'}


async def list_tasks(ctx: ToolContext, a: ListTasksArgs, step: ToolStep) -> dict[str, Any]:
    query = TaskQuery(status=a.status, due_within_days=a.due_within_days, limit=a.limit)
    tasks = await ctx.tasks.list(ctx.user_id, query)
    await step.progress(f"Found {plural(len(tasks))}", count=len(tasks))
    done = sum(1 for t in tasks if t.completed)
    summary = (f"Found {plural(len(tasks))} ({len(tasks) - done} pending, {done} completed)"
               if tasks else "No tasks found")
    return {"success": True, "tasks": [task_brief(t) for t in tasks], "total": len(tasks),
            "pending": len(tasks) - done, "completed": done, "status": a.status,
            "summary": summary, "message": summary}


async def update_task(ctx: ToolContext, a: UpdateTaskArgs, step: ToolStep) -> dict[str, Any]:
    task = await _find(ctx, a.task)
    changes: dict[str, Any] = {}
    said: list[str] = []
    if a.title is not None and a.title != task.title:
        changes["title"] = a.title
        said.append(f'title from "{task.title}" to "{a.title}"')
    if a.description is not None and a.description != task.description:
        changes["description"] = a.description
        said.append("description")
    _due_changes(ctx, a, task, changes, said)
    if a.priority is not None:
        priority = _priority(a.priority)
        if priority != task.priority:
            changes["priority"] = priority
            said.append(f"priority to {priority}")
    if not changes:
        if len(a.model_fields_set - {"task"}) == 0:
            raise ToolInputError("Say what to change: title, description, due date or "
                                 "priority.")
        return {"success": True, "task": task_brief(task), "changes": [],
                "message": f'"{task.title}" already looks like that; nothing changed.'}
    old_title = task.title
    task = await ctx.tasks.update(ctx.user_id, str(task.id), TaskUpdate(**changes))
    return {"success": True, "task": task_brief(task), "changes": sorted(changes),
            "message": f'Updated "{old_title}": ' + ", ".join(said) + "."}


def _due_changes(ctx: ToolContext, a: UpdateTaskArgs, task: Task, changes: dict[str, Any],
                 said: list[str]) -> None:
    """The due date and time an update asks for (a date phrase may carry a time; a new date
    keeps the task's time unless one is given; removing the date removes the time)."""
    day, time = task.due_date, task.due_time
    if "due_date" in a.model_fields_set:
        due = _due(a.due_date, ctx.today)
        day = due.day if due else None
        time = (due.time or time) if due else None
    if "due_time" in a.model_fields_set:
        time = _time(a.due_time)
        day = day or (ctx.today if time else None)
    if day != task.due_date:
        changes["due_date"] = day
    if time != task.due_time and (day or task.due_time):
        changes["due_time"] = time
    if "due_date" in changes or "due_time" in changes:
        said.append(f"due date to {describe_due(day, ctx.today, time)}" if day
                    else "due date removed")


async def complete_task(ctx: ToolContext, a: CompleteTaskArgs, step: ToolStep
                        ) -> dict[str, Any]:
    task = await _find(ctx, a.task)
    state = "done" if a.completed else "not done"
    old = "completed" if task.completed else "pending"
    if task.completed == a.completed:
        return {"success": True, "task": task_brief(task), "old_status": old,
                "new_status": old, "message": f'"{task.title}" was already {state}.'}
    task = await ctx.tasks.set_completed(ctx.user_id, str(task.id), a.completed)
    return {"success": True, "task": task_brief(task), "old_status": old,
            "new_status": "completed" if a.completed else "pending",
            "message": f'Marked "{task.title}" as {state}.'}


async def delete_task(ctx: ToolContext, a: DeleteTaskArgs, step: ToolStep) -> dict[str, Any]:
    task = await _find(ctx, a.task)
    view = task_brief(task)
    await ctx.tasks.delete(ctx.user_id, str(task.id))
    return {"success": True, "task": view, "message": f'Deleted "{task.title}".'}


def _bulk_progress(step: ToolStep) -> Callable[[int, int], Awaitable[None]]:
    async def report(done: int, total: int) -> None:
        every = max(1, total // 20)     # at most ~20 progress events per bulk change
        if done == total or done % every == 0:
            await step.progress(progress_message(done, total), count=done, total=total)
    return report


async def complete_all_tasks(ctx: ToolContext, a: CompleteAllArgs, step: ToolStep
                             ) -> dict[str, Any]:
    result = await ctx.tasks.complete_many(ctx.user_id, a.completed, a.status,
                                           progress=_bulk_progress(step))
    state = "done" if a.completed else "not done"
    if result.total == 0:
        message = "There are no tasks to change."
    elif result.changed == 0:
        message = f"All {plural(result.total)} were already {state}."
    else:
        message = f"Marked {plural(result.changed)} as {state}."
        if result.skipped:
            message += f" {result.skipped} already were."
    return {"success": True, "completed": a.completed, "updated_count": result.changed,
            "skipped_count": result.skipped, "total_count": result.total, "message": message}


async def _confirmation_pending(ctx: ToolContext, status: str) -> bool:
    """True when an earlier run of this conversation asked to confirm this deletion."""
    since = datetime.now(timezone.utc) - CONFIRMATION_WINDOW
    asked = await ToolCall.filter(
        run__conversation_id=ctx.conversation_id, tool="delete_all_tasks", ok=True,
        created_at__gte=since).exclude(run_id=ctx.run_id).order_by("-created_at").first()
    result = asked.result if asked is not None else None
    return bool(isinstance(result, dict) and result.get("requires_confirmation")
                and result.get("status", "all") == status)


async def delete_all_tasks(ctx: ToolContext, a: DeleteAllArgs, step: ToolStep
                           ) -> dict[str, Any]:
    which = "" if a.status == "all" else f"{a.status} "
    if a.confirmed and await _confirmation_pending(ctx, a.status):
        result = await ctx.tasks.delete_many(ctx.user_id, a.status,
                                             progress=_bulk_progress(step))
        return {"success": True, "deleted_count": result.changed, "status": a.status,
                "message": f"Deleted {plural(result.changed, which + 'task')}."}
    count = len(await ctx.tasks.list(ctx.user_id, TaskQuery(status=a.status, limit=500)))
    if count == 0:
        return {"success": True, "deleted_count": 0, "status": a.status,
                "message": f"There are no {which}tasks to delete."}
    message = f"This will delete {plural(count, which + 'task')}. Please confirm."
    if a.confirmed:
        message += " (The user must confirm in a new message first.)"
    return {"success": True, "requires_confirmation": True, "task_count": count,
            "status": a.status, "message": message}


Tool = Callable[[ToolContext, Any, ToolStep], Awaitable[dict[str, Any]]]
TOOLS: dict[str, Tool] = {
    "add_task": add_task, "list_tasks": list_tasks, "update_task": update_task,
    "complete_task": complete_task, "delete_task": delete_task,
    "complete_all_tasks": complete_all_tasks, "delete_all_tasks": delete_all_tasks,
}


def _validation_message(tool: str, exc: ValidationError) -> str:
    err = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in err["loc"]) or "arguments"
    what = str(err["msg"]).removeprefix("Value error, ")
    return f"Invalid arguments for {tool}: {where}: {what}."


async def run_tool(ctx: ToolContext, tool: str, arguments: dict[str, Any],
                   step: ToolStep) -> dict[str, Any]:
    """Validate and run one tool; expected failures come back as structured results."""
    if tool not in TOOLS:
        return failure("unknown_tool", f"There is no tool called {tool!r}.")
    try:
        args = ARGS[tool].model_validate(arguments)
    except ValidationError as exc:
        return failure("invalid_input", _validation_message(tool, exc))
    try:
        return await TOOLS[tool](ctx, args, step)
    except ToolInputError as exc:
        return failure("invalid_input", str(exc))
    except ValidationError as exc:   # the task service's own input rules (TaskCreate...)
        return failure("invalid_input", _validation_message(tool, exc))
    except TaskNotFound as exc:
        return failure("not_found", f'I couldn\'t find a task called "{exc.args[0]}".'
                       if exc.args and exc.args[0] else "I couldn't find that task.")
    except AmbiguousTask as exc:
        names = ", ".join(f'"{t.title}"' for t in exc.matches[:5])
        return failure("ambiguous", f'More than one task matches "{exc.ref}": {names}. '
                                    "Which one do you mean?",
                       matches=[task_brief(t) for t in exc.matches[:10]])


def result_json(result: dict[str, Any]) -> str:
    """The tool result as the model reads it."""
    return json.dumps(result, ensure_ascii=False, separators=(",", ":"), default=str)
