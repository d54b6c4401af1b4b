"""``GET /api/{user_id}/runs/{run_id}``: a run with its tool steps (the audit trail)."""
from __future__ import annotations

from aiohttp import web

from taskpulse.agent.api import ChatError
from taskpulse.keys import CONVERSATIONS
from taskpulse.web.auth import require_path_user
from taskpulse.web.chat_api import chat_error


async def get_run(request: web.Request) -> web.Response:
    user_id = await require_path_user(request)
    try:
        run = await request.app[CONVERSATIONS].run(user_id, request.match_info["run_id"])
    except ChatError as exc:
        raise chat_error(exc) from None
    return web.json_response({"run": run})
