"""Long-polling POSTs always get an answer, soon.

python-engineio answers a POST that ends its session (a body over the size limit, a packet
type a client may not send) only once the session's close packet has been collected by a
long-poll GET. A client that has no GET in flight at that moment (between two polls, or
one that does not poll) waited forever: the issue's "a polling POST over
``sio_max_message_bytes`` never gets an HTTP response".

In front of python-engineio (an aiohttp middleware, public means only):

- a POST whose ``Content-Length`` is over the limit is answered ``413`` with a JSON
  ``payload_too_large`` error at once, without reading the body; its session is closed
  (the client reconnects, as it does after python-engineio's own refusal);
- any other POST is python-engineio's, but gets at most :data:`POST_SECONDS`; one still
  waiting then has closed its session, and gets python-engineio's own ``400``.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

import orjson
from aiohttp import web

from taskpulse.web.errors import ENGINEIO_PATH

log = logging.getLogger(__name__)

POST_SECONDS = 5.0
CLOSE_SECONDS = 5.0       # how long closing a refused session may wait for its client

Handler = Any


def too_large(limit: int) -> web.Response:
    body = {"error": {"code": "payload_too_large",
                      "message": f"A long-polling request may carry at most {limit} bytes."}}
    return web.Response(status=413, body=orjson.dumps(body), content_type="application/json")


class PollingPosts:
    def __init__(self, eio: Any, limit: int) -> None:
        self.eio = eio
        self.limit = limit
        self._closing: set[asyncio.Task[None]] = set()

    @web.middleware
    def middleware(self, request: web.Request, handler: Handler
                   ) -> Awaitable[web.StreamResponse]:
        """Anything but a long-polling POST is passed on untouched: the handler's awaitable
        is returned, not awaited here, so no frame of this middleware is kept for as long
        as the request lives (a WebSocket's, for the whole connection)."""
        if request.method != "POST" or not request.path.startswith(ENGINEIO_PATH):
            return handler(request)   # type: ignore[no-any-return]
        return self._post(request, handler)

    async def _post(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        length = request.content_length
        if length is not None and length > self.limit:
            log.warning("refused a long-polling POST of %d bytes (limit %d)", length,
                        self.limit)
            self._close(request.query.get("sid", ""))
            return too_large(self.limit)
        try:
            async with asyncio.timeout(POST_SECONDS):
                return await handler(request)
        except TimeoutError:
            log.warning("a long-polling POST closed its session and got no answer in %.0f s",
                        POST_SECONDS)
            return web.Response(status=400, text="Bad Request")

    def _close(self, sid: str) -> None:
        if sid not in self.eio.sockets:
            return
        task = asyncio.get_running_loop().create_task(self._bounded_close(sid))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _bounded_close(self, sid: str) -> None:
        try:
            async with asyncio.timeout(CLOSE_SECONDS):
                await self.eio.disconnect(sid)
        except TimeoutError:
            pass      # closed; only the wait for its client to collect the close ended
