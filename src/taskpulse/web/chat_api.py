"""``POST /api/{user_id}/chat``: one message in, the finished run out.

Works with no socket at all (the graceful-degradation path): the handler starts a run
and waits for it. Progress events still go to the user's room for any open tab. If the
HTTP client goes away, the run carries on and its reply is saved. A retry with the same
``client_msg_id`` waits for (or reads back) the original run instead of starting another.
"""
from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from taskpulse.agent.api import ChatError
from taskpulse.keys import AGENT
from taskpulse.tasks.schemas import OptionalPlainText, PlainText
from taskpulse.web.auth import require_path_user
from taskpulse.web.errors import ApiError, parse_json


class ChatIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: PlainText                   # length is checked by the agent (400, not 422)
    conversation_id: str | None = None
    # The sender's id for this message: a resend with the same id (within a day) gets
    # the original run's answer instead of starting a second run.
    client_msg_id: OptionalPlainText = Field(default=None, max_length=100)


def chat_error(exc: ChatError) -> ApiError:
    """The HTTP form of a refused chat request."""
    if exc.retry_after is not None:
        return ApiError(exc.status, exc.code, exc.message,
                        headers={"Retry-After": str(exc.retry_after)},
                        retry_after=exc.retry_after)
    return ApiError(exc.status, exc.code, exc.message)


async def chat(request: web.Request) -> web.Response:
    user_id = await require_path_user(request)
    data = await parse_json(request, ChatIn)
    agent = request.app[AGENT]
    try:
        started = await agent.start(user_id, data.message, data.conversation_id,
                                    data.client_msg_id)
        result = await agent.wait(started.run_id)
    except ChatError as exc:
        raise chat_error(exc) from None
    if result.status in ("error", "interrupted"):
        status = 503 if result.error in ("llm_unavailable", "interrupted") else 500
        if result.error == "timeout":
            status = 504
        raise ApiError(status, result.error or "agent_error", result.response,
                       run_id=result.run_id, conversation_id=result.conversation_id,
                       tool_calls=result.tool_calls)
    return web.json_response({
        "conversation_id": result.conversation_id, "run_id": result.run_id,
        "status": result.status, "response": result.response, "message": result.message,
        "tool_calls": result.tool_calls})
