"""Conversations: list, read messages (paged, oldest first within a page), rename, delete."""
from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from taskpulse.agent.api import ChatError
from taskpulse.keys import CONVERSATIONS
from taskpulse.web.auth import require_path_user
from taskpulse.web.chat_api import chat_error
from taskpulse.tasks.schemas import PlainText
from taskpulse.web.errors import parse_json, parse_query


# Every number a client sends is bounded: an unbounded offset reached the database as a
# 64-bit overflow (a 500 on SQLite and PostgreSQL alike).
MAX_OFFSET = 1_000_000


class ConversationQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)


class MessageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(default=50, ge=1, le=200)
    before: str | None = Field(default=None, description="A message id: older messages only.")


class ConversationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: PlainText = Field(min_length=1, max_length=200)   # the column's length


async def list_conversations(request: web.Request) -> web.Response:
    user_id = await require_path_user(request)
    query = parse_query(request, ConversationQuery)
    page = await request.app[CONVERSATIONS].list(user_id, query.limit, query.offset)
    return web.json_response(page)


async def list_messages(request: web.Request) -> web.Response:
    user_id = await require_path_user(request)
    conversation_id = request.match_info["conversation_id"]
    query = parse_query(request, MessageQuery)
    try:
        page = await request.app[CONVERSATIONS].messages(user_id, conversation_id,
                                                         query.limit, query.before)
    except ChatError as exc:
        raise chat_error(exc) from None
    return web.json_response(page)


async def rename_conversation(request: web.Request) -> web.Response:
    user_id = await require_path_user(request)
    data = await parse_json(request, ConversationUpdate)
    try:
        conversation = await request.app[CONVERSATIONS].rename(
            user_id, request.match_info["conversation_id"], data.title)
    except ChatError as exc:
        raise chat_error(exc) from None
    return web.json_response({"conversation": conversation})


async def delete_conversation(request: web.Request) -> web.Response:
    user_id = await require_path_user(request)
    try:
        await request.app[CONVERSATIONS].delete(user_id, request.match_info["conversation_id"])
    except ChatError as exc:
        raise chat_error(exc) from None
    return web.Response(status=204)
