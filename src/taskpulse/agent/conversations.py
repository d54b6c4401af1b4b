"""Reading, renaming and deleting conversations and runs: what the HTTP handlers ask for.

Refusals are :class:`~taskpulse.agent.api.ChatError` with the HTTP status and code
(``conversation_not_found``, ``invalid_cursor``, ``run_not_found``).
"""
from __future__ import annotations

from typing import Any

from taskpulse.agent.api import AgentAPI, ChatError
from taskpulse.agent.chat_views import (conversation_dict, message_dict, run_dict,
                                        with_run_summaries)
from taskpulse.db.models import Conversation, Message, Run, ToolCall
from taskpulse.tasks.service import parse_uuid


class Conversations:
    def __init__(self, agent: AgentAPI) -> None:
        self.agent = agent      # for the running runs, and to stop one before a delete

    async def _owned(self, user_id: str, conversation_id: str) -> Conversation:
        cid = parse_uuid(conversation_id)
        conversation = await Conversation.get_or_none(id=cid, owner_id=user_id) if cid \
            else None
        if conversation is None:
            raise ChatError(404, "conversation_not_found", "No such conversation.")
        return conversation

    async def list(self, user_id: str, limit: int, offset: int) -> dict[str, Any]:
        """Newest first: ``{conversations, has_more}``."""
        rows = await Conversation.filter(owner_id=user_id).order_by("-updated_at").offset(
            offset).limit(limit + 1)
        active = await self.agent.active_runs(user_id)
        return {"conversations": [conversation_dict(c, active.get(str(c.id)))
                                  for c in rows[:limit]],
                "has_more": len(rows) > limit}

    async def messages(self, user_id: str, conversation_id: str, limit: int,
                       before: str | None) -> dict[str, Any]:
        """A page of messages, oldest first, older than the message ``before``."""
        conversation = await self._owned(user_id, conversation_id)
        qs = Message.filter(conversation_id=conversation.id)
        if before:
            bid = parse_uuid(before)
            anchor = await Message.get_or_none(id=bid, conversation_id=conversation.id) \
                if bid else None
            if anchor is None:
                raise ChatError(400, "invalid_cursor", "before must be the id of a message "
                                                       "in this conversation.")
            qs = qs.filter(created_at__lt=anchor.created_at)
        rows = await qs.order_by("-created_at").limit(limit + 1)
        page = list(reversed(rows[:limit]))
        active = await self.agent.active_runs(user_id)
        return {
            "conversation": conversation_dict(conversation, active.get(str(conversation.id))),
            "messages": await _with_steps([message_dict(m) for m in page]),
            "has_more": len(rows) > limit,
            "next_before": str(page[0].id) if page and len(rows) > limit else None}

    async def rename(self, user_id: str, conversation_id: str, title: str) -> dict[str, Any]:
        """Give a conversation a new title; its place in the list (``updated_at``) stays."""
        conversation = await self._owned(user_id, conversation_id)
        # A queryset update: ``save`` would stamp ``updated_at`` and move it to the top.
        await Conversation.filter(id=conversation.id).update(title=title)
        conversation.title = title
        active = await self.agent.active_runs(user_id)
        return conversation_dict(conversation, active.get(str(conversation.id)))

    async def delete(self, user_id: str, conversation_id: str) -> None:
        conversation = await self._owned(user_id, conversation_id)
        await self.agent.stop_conversation(user_id, str(conversation.id))
        await conversation.delete()

    async def run(self, user_id: str, run_id: str) -> dict[str, Any]:
        """A run with its tool steps (the audit trail)."""
        rid = parse_uuid(run_id)
        run = await Run.get_or_none(id=rid, owner_id=user_id) if rid else None
        if run is None:
            raise ChatError(404, "run_not_found", "No such run.")
        steps = await ToolCall.filter(run_id=run.id).order_by("created_at")
        return run_dict(run, steps)


async def _with_steps(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The step summary of each answer on the page: two queries, whatever the page size."""
    run_ids = sorted({m["run_id"] for m in messages if m["role"] == "assistant" and m["run_id"]})
    if not run_ids:
        return messages
    steps = await ToolCall.filter(run_id__in=run_ids).order_by("created_at")
    statuses = dict(await Run.filter(id__in=run_ids).values_list("id", "status"))
    return with_run_summaries(messages, steps, {str(k): str(v) for k, v in statuses.items()})
