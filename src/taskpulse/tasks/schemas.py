"""Validated input for task changes (shared by the REST API, the pages and the tools)."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Priority = Literal["low", "medium", "high"]
StatusFilter = Literal["all", "pending", "completed"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TaskCreate(_Strict):
    title: str = Field(min_length=1, max_length=255)
    description: str = Field(default="", max_length=2000)
    due_date: date | None = None
    priority: Priority = "medium"
    completed: bool = False


class TaskUpdate(_Strict):
    """Every field optional: PATCH semantics. PUT uses :class:`TaskCreate`."""
    title: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=2000)
    due_date: date | None = None
    priority: Priority | None = None
    completed: bool | None = None

    @field_validator("title", "description", "priority", "completed")
    @classmethod
    def _not_null(cls, v: object) -> object:
        # Only due_date may be cleared with null; the others are NOT NULL columns.
        if v is None:
            raise ValueError("cannot be null")
        return v


class TaskComplete(_Strict):
    completed: bool = True


class TaskQuery(_Strict):
    status: StatusFilter = "all"
    due_within_days: int | None = Field(default=None, ge=0, le=3650)
    limit: int = Field(default=100, ge=1, le=500)
