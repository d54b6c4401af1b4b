"""``GET /healthz``: 503 when the database does not answer; the body names every dependency
that does not. Redis alone being down is 200 ``degraded``: taking every process out of the
balancer at once for a Redis outage would turn a partial outage into a whole one."""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from tortoise import connections

from taskpulse.db.setup import connection_name
from taskpulse.keys import CONFIG, REDIS

log = logging.getLogger(__name__)

CHECK_SECONDS = 2.0


async def _database(request: web.Request) -> None:
    await connections.get(connection_name(request.app[CONFIG])).execute_query("SELECT 1")


async def _redis(request: web.Request) -> None:
    await request.app[REDIS].ping()


async def healthz(request: web.Request) -> web.Response:
    checks = {"database": _database}
    if request.app.get(REDIS) is not None:
        checks["redis"] = _redis
    states: dict[str, str] = {}
    for name, check in checks.items():
        try:
            async with asyncio.timeout(CHECK_SECONDS):
                await check(request)
            states[name] = "ok"
        except Exception as exc:
            log.warning("health check: %s unreachable (%s)", name, exc.__class__.__name__)
            states[name] = "unavailable"
    down = [name for name, state in states.items() if state != "ok"]
    if not down:
        return web.json_response({"status": "ok", "dependencies": states})
    error = {"code": f"{down[0]}_unavailable" if len(down) == 1 else "unavailable",
             "message": "Not reachable: " + ", ".join(down) + "."}
    if "database" not in down:
        return web.json_response({"status": "degraded", "dependencies": states,
                                  "error": error})
    return web.json_response({"status": "error", "dependencies": states, "error": error},
                             status=503, headers={"Retry-After": "5"})
