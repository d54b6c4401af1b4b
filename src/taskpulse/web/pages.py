"""Server-rendered pages (work without JavaScript). Being written: see issue 2."""
from __future__ import annotations

from aiohttp import web


async def _todo(request: web.Request) -> web.Response:
    raise web.HTTPNotImplemented()

index = signup_form = signup_submit = login_form = login_submit = logout = _todo
tasks_page = task_add = task_toggle = task_edit = task_delete = _todo
