"""Validated input for task changes (shared by the REST API, the pages and the tools).

Text rule (:data:`PlainText`, :func:`check_text`): user text may not contain NUL or
other control characters (C0, DEL and C1: U+0080-U+009F), nor the bidirectional
embedding, override and isolate characters (U+202A-U+202E, U+2066-U+2069) that make text
display in another order than it is stored; tab, line feed and carriage return are fine.
It is enforced here so that every entry point (JSON API, HTML forms, agent tools, chat)
refuses such text with a clear error instead of storing it (PostgreSQL cannot store NUL at
all).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, field_validator,
                      model_validator)

Priority = Literal["low", "medium", "high"]
StatusFilter = Literal["all", "pending", "completed"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def text_problem(value: str) -> str | None:
    """Why ``value`` breaks the text rule (``None``: it does not)."""
    found = _CONTROL.search(value)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "must not contain NUL characters"
    if char >= "\u202a":
        return ("must not contain bidirectional override characters "
                f"(found U+{ord(char):04X})")
    return f"must not contain control characters (found U+{ord(char):04X})"


def check_text(value: object) -> object:
    """A pydantic validator: ``value`` unchanged, or ValueError saying what is wrong."""
    problem = text_problem(value) if isinstance(value, str) else None
    if problem is not None:
        raise ValueError(problem)
    return value


#: A string that follows the text rule. The check runs before the string's own
#: validation, so length constraints (``Field(min_length=...)``) keep their usual errors.
PlainText = Annotated[str, BeforeValidator(check_text)]
#: The same for an optional field (write ``OptionalPlainText``, not ``PlainText | None``,
#: which would turn the length errors into generic ones).
OptionalPlainText = Annotated[str | None, BeforeValidator(check_text)]


#: A due time: "HH:MM", 24-hour ("17:00"); "9:5" or "25:00" are refused.
DueTime = Annotated[str, Field(pattern=r"^(?:[01]\d|2[0-3]):[0-5]\d$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TaskCreate(_Strict):
    title: PlainText = Field(min_length=1, max_length=255)
    description: PlainText = Field(default="", max_length=2000)
    due_date: date | None = None
    due_time: DueTime | None = None
    priority: Priority = "medium"
    completed: bool = False

    @model_validator(mode="after")
    def _time_needs_date(self) -> "TaskCreate":
        if self.due_time is not None and self.due_date is None:
            raise ValueError("due_time needs a due_date")
        return self


class TaskUpdate(_Strict):
    """Every field optional: PATCH semantics. PUT uses :class:`TaskCreate`."""
    title: OptionalPlainText = Field(default=None, min_length=1, max_length=255)
    description: OptionalPlainText = Field(default=None, max_length=2000)
    due_date: date | None = None
    due_time: DueTime | None = None
    priority: Priority | None = None
    completed: bool | None = None

    @model_validator(mode="after")
    def _no_date_no_time(self) -> "TaskUpdate":
        # Removing the due date removes its time too (a time needs a day).
        if "due_date" in self.model_fields_set and self.due_date is None:
            if self.due_time is not None:
                raise ValueError("due_time needs a due_date")
            self.due_time = None
            self.model_fields_set.add("due_time")
        return self

    @field_validator("title", "description", "priority", "completed")
    @classmethod
    def _not_null(cls, v: object) -> object:
        # Only due_date and due_time may be cleared with null; the others are NOT NULL.
        if v is None:
            raise ValueError("cannot be null")
        return v


class TaskComplete(_Strict):
    completed: bool = True


class TaskQuery(_Strict):
    status: StatusFilter = "all"
    due_within_days: int | None = Field(default=None, ge=0, le=3650)
    limit: int = Field(default=100, ge=1, le=500)
