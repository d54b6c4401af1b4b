"""``GET /api/{user_id}/runs/{run_id}``: a run with its tool steps (the audit trail)."""
from __future__ import annotations

from aiohttp import web

from taskpulse.agent.records import run_dict
from taskpulse.db.models import Run, ToolCall
from taskpulse.tasks.service import parse_uuid
from taskpulse.web.auth import require_path_user
from taskpulse.web.errors import api_error


async def get_run(request: web.Request) -> web.Response:
    user_id = require_path_user(request)
    rid = parse_uuid(request.match_info["run_id"])
    run = await Run.get_or_none(id=rid, owner_id=user_id) if rid else None
    if run is None:
        api_error(404, "run_not_found", "No such run.")
    steps = await ToolCall.filter(run_id=run.id).order_by("created_at")
    return web.json_response({"run": run_dict(run, steps)})
