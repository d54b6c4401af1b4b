"""Conversations: list, read messages (paged, oldest first within a page), delete."""
from __future__ import annotations

from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from taskpulse.agent.records import conversation_dict, message_dict, with_run_summaries
from taskpulse.db.models import Conversation, Message, Run, ToolCall
from taskpulse.keys import AGENT
from taskpulse.tasks.service import parse_uuid
from taskpulse.web.auth import require_path_user
from taskpulse.web.errors import api_error, parse_query


class ConversationQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)


class MessageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=50, ge=1, le=200)
    before: str | None = Field(default=None, description="A message id: older messages only.")


async def _active_runs(request: web.Request, user_id: str) -> dict[str, str]:
    return await request.app[AGENT].active_runs(user_id)


async def _owned(request: web.Request, user_id: str) -> Conversation:
    cid = parse_uuid(request.match_info["conversation_id"])
    conversation = await Conversation.get_or_none(id=cid, owner_id=user_id) if cid else None
    if conversation is None:
        api_error(404, "conversation_not_found", "No such conversation.")
    return conversation


async def list_conversations(request: web.Request) -> web.Response:
    user_id = require_path_user(request)
    query = parse_query(request, ConversationQuery)
    rows = await Conversation.filter(owner_id=user_id).order_by("-updated_at").offset(
        query.offset).limit(query.limit + 1)
    active = await _active_runs(request, user_id)
    page = rows[: query.limit]
    return web.json_response({
        "conversations": [conversation_dict(c, active.get(str(c.id))) for c in page],
        "has_more": len(rows) > query.limit})


async def list_messages(request: web.Request) -> web.Response:
    user_id = require_path_user(request)
    conversation = await _owned(request, user_id)
    query = parse_query(request, MessageQuery)
    qs = Message.filter(conversation_id=conversation.id)
    if query.before:
        bid = parse_uuid(query.before)
        anchor = await Message.get_or_none(id=bid, conversation_id=conversation.id) if bid \
            else None
        if anchor is None:
            api_error(400, "invalid_cursor", "before must be the id of a message in this "
                                             "conversation.")
        qs = qs.filter(created_at__lt=anchor.created_at)
    rows = await qs.order_by("-created_at").limit(query.limit + 1)
    page = list(reversed(rows[: query.limit]))
    active = await _active_runs(request, user_id)
    return web.json_response({
        "conversation": conversation_dict(conversation, active.get(str(conversation.id))),
        "messages": await _with_steps([message_dict(m) for m in page]),
        "has_more": len(rows) > query.limit,
        "next_before": str(page[0].id) if page and len(rows) > query.limit else None})


async def _with_steps(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The step summary of each answer on the page: two queries, whatever the page size."""
    run_ids = sorted({m["run_id"] for m in messages if m["role"] == "assistant" and m["run_id"]})
    if not run_ids:
        return messages
    steps = await ToolCall.filter(run_id__in=run_ids).order_by("created_at")
    statuses = dict(await Run.filter(id__in=run_ids).values_list("id", "status"))
    return with_run_summaries(messages, steps, {str(k): str(v) for k, v in statuses.items()})


async def delete_conversation(request: web.Request) -> web.Response:
    user_id = require_path_user(request)
    conversation = await _owned(request, user_id)
    await request.app[AGENT].stop_conversation(user_id, str(conversation.id))
    await conversation.delete()
    return web.Response(status=204)
