"""The seven tools as the model sees them (function schemas) and their validated arguments.

There is deliberately no ``user_id`` parameter: tools act for the user of the verified
token. Unknown arguments (``user_id`` included) are ignored.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from taskpulse.tasks.schemas import OptionalPlainText, PlainText

TASK_REF = {"type": "string",
            "description": "The task's id (preferred, from an earlier result) or its exact "
                           "title."}
DUE = {"type": "string",
       "description": "ISO date (2026-12-01) or words: today, tomorrow, next friday, "
                      "in 3 days, next week. A time in it (tomorrow at 5pm) sets due_time "
                      "too."}
DUE_TIME = {"type": "string",
            "description": "Time of day on the due date: 24-hour HH:MM (17:00) or words "
                           "(5pm, noon). Without a due date it is today."}
PRIORITY = {"type": "string", "enum": ["low", "medium", "high"]}
STATUS = {"type": "string", "enum": ["all", "pending", "completed"]}


def _function(name: str, description: str, properties: dict[str, Any],
              required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "function", "function": {
        "name": name, "description": description,
        "parameters": {"type": "object", "properties": properties,
                       "required": required or []}}}


TOOL_SCHEMAS: list[dict[str, Any]] = [
    _function("add_task", "Create a task for the user.", {
        "title": {"type": "string", "description": "Short title, up to 255 characters."},
        "description": {"type": "string", "description": "Optional details."},
        "due_date": DUE, "due_time": DUE_TIME, "priority": PRIORITY}, ["title"]),
    _function("list_tasks", "List the user's tasks, sorted by due date (undated last).", {
        "status": STATUS,
        "due_within_days": {"type": "integer", "minimum": 0,
                            "description": "Only tasks due within this many days "
                                           "(0 = due today or overdue)."},
        "limit": {"type": "integer", "minimum": 1, "maximum": 100}}),
    _function("update_task", "Change a task's title, description, due date, due time or "
              "priority.", {
                  "task": TASK_REF, "title": {"type": "string"},
                  "description": {"type": "string"},
                  "due_date": {**DUE, "description": DUE["description"] + " Use 'none' to "
                               "remove it."},
                  "due_time": {**DUE_TIME, "description": DUE_TIME["description"] + " Use "
                               "'none' to remove it."},
                  "priority": PRIORITY}, ["task"]),
    _function("complete_task", "Mark a task as done (completed=true) or not done (false).", {
        "task": TASK_REF, "completed": {"type": "boolean"}}, ["task"]),
    _function("delete_task", "Delete one task.", {"task": TASK_REF}, ["task"]),
    _function("complete_all_tasks", "Mark every task done (or, with completed=false, not "
              "done).", {"completed": {"type": "boolean"}, "status": STATUS}),
    _function("delete_all_tasks", "Delete every task (optionally only pending or completed "
              "ones). Call first with confirmed=false; call with confirmed=true only after "
              "the user confirmed in a later message.", {
                  "confirmed": {"type": "boolean"}, "status": STATUS}),
]

TOOL_NAMES = tuple(t["function"]["name"] for t in TOOL_SCHEMAS)

_STATUS_WORDS = {"all": "all", "any": "all", "everything": "all", "pending": "pending",
                 "open": "pending", "incomplete": "pending", "todo": "pending",
                 "not done": "pending", "active": "pending", "completed": "completed",
                 "complete": "completed", "done": "completed", "finished": "completed",
                 "closed": "completed"}


def normalise_status(value: Any) -> str:
    if value is None or value == "":
        return "all"
    word = str(value).strip().lower()
    if word not in _STATUS_WORDS:
        raise ValueError("status must be all, pending or completed")
    return _STATUS_WORDS[word]


class _Args(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        if isinstance(data, dict) and "task" not in data and "task" in cls.model_fields:
            for alias in ("task_id", "id", "task_title", "name"):
                if alias in data:
                    return {**data, "task": data[alias]}
        return data

    @field_validator("status", mode="before", check_fields=False)
    @classmethod
    def _status(cls, v: Any) -> str:
        return normalise_status(v)

    @field_validator("task", mode="before", check_fields=False)
    @classmethod
    def _task(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


class AddTaskArgs(_Args):
    title: PlainText = Field(min_length=1, max_length=255)
    description: PlainText = Field(default="", max_length=2000)
    due_date: str | None = None
    due_time: str | None = None
    priority: str | None = None


Status = Literal["all", "pending", "completed"]


class ListTasksArgs(_Args):
    status: Status = "all"
    due_within_days: int | None = Field(default=None, ge=0, le=3650)
    limit: int = Field(default=50, ge=1, le=100)


class UpdateTaskArgs(_Args):
    task: str = Field(min_length=1)
    title: OptionalPlainText = Field(default=None, min_length=1, max_length=255)
    description: OptionalPlainText = Field(default=None, max_length=2000)
    due_date: str | None = None
    due_time: str | None = None
    priority: str | None = None


class CompleteTaskArgs(_Args):
    task: str = Field(min_length=1)
    completed: bool = True


class DeleteTaskArgs(_Args):
    task: str = Field(min_length=1)


class CompleteAllArgs(_Args):
    completed: bool = True
    status: Status = "all"


class DeleteAllArgs(_Args):
    confirmed: bool = False
    status: Status = "all"


ARGS: dict[str, type[_Args]] = {
    "add_task": AddTaskArgs, "list_tasks": ListTasksArgs, "update_task": UpdateTaskArgs,
    "complete_task": CompleteTaskArgs, "delete_task": DeleteTaskArgs,
    "complete_all_tasks": CompleteAllArgs, "delete_all_tasks": DeleteAllArgs,
}
