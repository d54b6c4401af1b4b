"""Headers every response carries (JSON API, pages, static files, Engine.IO alike):

- ``X-Content-Type-Options: nosniff``: a browser never reads a response as another type
  than the one it is sent as (an API answer echoing user text is never run as a script);
- ``Server: Taskpulse``, without aiohttp's and Python's versions;
- in production, ``Strict-Transport-Security``: the site is served over HTTPS only
  (docs/deploy.md), and a browser that has seen it once never tries plain HTTP again.

A request aiohttp cannot parse never reaches the application (nor this signal); the
``json_parse_errors`` hook (internals/parse_errors.py) gives its answer the same headers.
"""
from __future__ import annotations

from aiohttp import web

from taskpulse.internals import parse_errors
from taskpulse.keys import CONFIG, HOOKS

SERVER_NAME = "Taskpulse"
HSTS = "max-age=31536000"       # one year


async def add_response_headers(request: web.Request, response: web.StreamResponse) -> None:
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Server"] = SERVER_NAME
    if request.app[CONFIG].production:
        headers.setdefault("Strict-Transport-Security", HSTS)


def setup_response_headers(app: web.Application) -> None:
    app.on_response_prepare.append(add_response_headers)
    if "json_parse_errors" in app[HOOKS]:
        parse_errors.install(SERVER_NAME)
