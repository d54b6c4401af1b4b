"""Tortoise ORM models. Table names are singular; every id is a UUID."""
from __future__ import annotations

import uuid
from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

PRIORITIES = ("low", "medium", "high")
ROLES = ("user", "assistant")
RUN_STATES = ("running", "done", "error", "cancelled", "interrupted")


class User(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=100, default="")
    password_hash = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "user"


class Task(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tasks", on_delete=fields.CASCADE)
    title = fields.CharField(max_length=255)
    description = fields.TextField(default="")
    due_date = fields.DateField(null=True)
    # "HH:MM" (24-hour) on the due date; only set together with a due date.
    due_time = fields.CharField(max_length=5, null=True)
    priority = fields.CharField(max_length=6, default="medium")
    completed = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "task"
        indexes = (Index(fields=("owner_id", "completed")),)


class Conversation(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="conversations", on_delete=fields.CASCADE)
    title = fields.CharField(max_length=200, default="New conversation")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "conversation"
        indexes = (Index(fields=("owner_id", "updated_at")),)


class Message(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="messages", on_delete=fields.CASCADE)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="messages", on_delete=fields.CASCADE)
    role = fields.CharField(max_length=10)
    content = fields.TextField()
    run_id = fields.UUIDField(null=True)
    # The sender's id for a user message (chat_send / POST chat): a resend with the same
    # id by the same user within a day returns the original run instead of a new one.
    client_msg_id = fields.CharField(max_length=100, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "message"
        indexes = (Index(fields=("conversation_id", "created_at")),
                   Index(fields=("owner_id", "role", "created_at")),
                   Index(fields=("owner_id", "client_msg_id")))


class Run(Model):
    """One agent run: a user message answered by the agent, with its tool steps."""
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="runs", on_delete=fields.CASCADE)
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="runs", on_delete=fields.CASCADE)
    status = fields.CharField(max_length=12, default="running")
    process_id = fields.CharField(max_length=64, default="")
    error = fields.TextField(default="")
    started_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "run"
        indexes = (Index(fields=("status",)),)


class OutboxEvent(Model):
    """The event of a saved change, from its commit until it is in the user's stream
    (``delivery/outbox.py``)."""
    id = fields.BigIntField(primary_key=True)
    user_id = fields.UUIDField()
    process_id = fields.CharField(max_length=64)    # the process that publishes it
    name = fields.CharField(max_length=40)
    payload: fields.JSONField[dict[str, Any]] = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "outbox"
        indexes = (Index(fields=("created_at",)),)


class ToolCall(Model):
    """The record of one tool invocation within a run (the audit trail)."""
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    run: fields.ForeignKeyRelation[Run] = fields.ForeignKeyField(
        "models.Run", related_name="steps", on_delete=fields.CASCADE)
    call_id = fields.CharField(max_length=64)
    tool = fields.CharField(max_length=40)
    arguments: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    ok = fields.BooleanField(default=False)
    message = fields.TextField(default="")
    error = fields.CharField(max_length=40, default="")
    result: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    duration_ms = fields.FloatField(default=0.0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tool_call"
        indexes = (Index(fields=("run_id", "created_at")),)
