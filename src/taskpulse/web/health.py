"""``GET /healthz``: ok only when the database answers."""
from __future__ import annotations

import logging

from aiohttp import web
from tortoise import connections

from taskpulse.db.setup import connection_name
from taskpulse.keys import CONFIG

log = logging.getLogger(__name__)


async def healthz(request: web.Request) -> web.Response:
    try:
        await connections.get(connection_name(request.app[CONFIG])).execute_query("SELECT 1")
    except Exception:
        log.exception("health check: database unreachable")
        return web.json_response({"status": "error", "error": {
            "code": "database_unavailable", "message": "The database is not reachable."}},
            status=503)
    return web.json_response({"status": "ok"})
