"""The one task shape: :class:`~taskpulse.protocol.events.TaskData`.

HTTP responses, pages, events and the agent's tool results all take a task from here; the
tools send the model a projection of the same shape (:func:`task_brief`).
"""
from __future__ import annotations

from typing import Any

from taskpulse.db.models import Task
from taskpulse.protocol.events import TaskData
from taskpulse.protocol.timestamps import iso_utc

# What a tool result tells the model about a task (description and due_time only when set).
BRIEF_FIELDS = {"id", "title", "due_date", "priority", "completed"}


def task_data(task: Task) -> TaskData:
    return TaskData(id=str(task.id), title=task.title, description=task.description,
                    due_date=task.due_date.isoformat() if task.due_date else None,
                    due_time=task.due_time if task.due_date else None,
                    priority=task.priority,  # type: ignore[arg-type]
                    completed=task.completed, created_at=iso_utc(task.created_at),
                    updated_at=iso_utc(task.updated_at))


def task_dict(task: Task) -> dict[str, Any]:
    """:func:`task_data` as JSON-ready data (HTTP responses, pages)."""
    return task_data(task).model_dump()


def task_brief(task: Task) -> dict[str, Any]:
    """The compact form tool results carry: what the model needs, nothing more."""
    brief = task_data(task).model_dump(include=BRIEF_FIELDS)
    if task.due_date and task.due_time:
        brief["due_time"] = task.due_time
    if task.description:
        brief["description"] = task.description
    return brief
