"""Requests aiohttp cannot parse: a JSON error that quotes nothing of the request.

aiohttp answers a request it cannot parse (a header over 8 KiB, a bad ``Content-Length``,
a control character in a header) itself, before any application code runs, from
``RequestHandler.handle_error``: a plain-text body that quotes the offending bytes (the
whole start of an oversized header) and the default ``Server: Python/x aiohttp/y`` header,
since the application's ``on_response_prepare`` signal never runs for it.

Hook ``json_parse_errors`` (setting ``http_json_parse_errors``). aiohttp has no public way
to shape these answers: the hook wraps ``RequestHandler.handle_error`` for the process
(aiohttp builds its request handlers itself; there is no per-server class to give it) and
replaces the answer of a client error (status below 500) with the JSON error every other
answer uses. The wrapper is installed once and leaves 5xx answers as aiohttp makes them.
:func:`contract` lists what it needs of the library.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import orjson
from aiohttp import web, web_protocol

_installed: dict[str, Callable[..., Any]] = {}


def json_error(status: int, server_name: str) -> web.Response:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    body = {"error": {"code": "bad_request" if status == 400 else "malformed_request",
                      "message": f"The request could not be read ({status} {phrase})."}}
    resp = web.Response(status=status, body=orjson.dumps(body),
                        content_type="application/json",
                        headers={"Server": server_name, "X-Content-Type-Options": "nosniff"})
    resp.force_close()
    return resp


def install(server_name: str) -> None:
    """Wrap ``RequestHandler.handle_error`` (once per process)."""
    if "handle_error" in _installed:
        return
    original = web_protocol.RequestHandler.handle_error
    _installed["handle_error"] = original

    def handle_error(self: Any, request: Any, status: int = 500,
                     exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        resp = original(self, request, status, exc, message)
        if status >= 500:
            return resp
        return json_error(status, server_name)

    web_protocol.RequestHandler.handle_error = handle_error  # type: ignore[method-assign]


def contract() -> list[str]:
    """What this hook needs of the installed library that is missing (empty: all there)."""
    current = getattr(web_protocol.RequestHandler, "handle_error", None)
    if current is None:
        return ["aiohttp.web_protocol.RequestHandler.handle_error is gone"]
    handler = _installed.get("handle_error", current)
    wanted = ["self", "request", "status", "exc", "message"]
    try:
        params = list(inspect.signature(handler).parameters)
    except (TypeError, ValueError):
        params = []
    problems = []
    if params != wanted:
        problems.append("aiohttp.web_protocol.RequestHandler.handle_error(request, status, "
                        f"exc, message) changed its parameters: {params}")
    source = inspect.getsource(web_protocol.RequestHandler)
    if "self.handle_error(" not in source:
        problems.append("aiohttp's RequestHandler no longer answers parse errors "
                        "through handle_error")
    return problems
