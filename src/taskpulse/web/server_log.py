"""The logger of aiohttp's HTTP server (``handler_args={"logger": ...}``, a public option).

A request aiohttp cannot parse (a header over 8 KiB, a bad ``Content-Length``, bytes that
are not HTTP) never reaches the application: aiohttp answers 400 itself and logged the
exception at ERROR with its traceback and its message, which quotes the offending bytes
(a whole oversized header). Such a request is a bad client input like any other: it is
logged here once, at WARNING, with the exception's class only. Anything else aiohttp's
server reports keeps its level and traceback. (The 400 itself stays aiohttp's plain-text
answer: no public option changes it.)
"""
from __future__ import annotations

import logging
import sys
from typing import Any

from aiohttp.http_exceptions import HttpProcessingError

log = logging.getLogger("aiohttp.server")


class ServerLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """What aiohttp's request handler calls ``logger``."""

    def __init__(self, logger: logging.Logger = log) -> None:
        super().__init__(logger, {})

    def exception(self, msg: Any, *args: Any, exc_info: Any = True, **kwargs: Any) -> None:
        exc = exc_info if isinstance(exc_info, BaseException) else sys.exc_info()[1]
        cause = malformed_http(exc)
        if cause is not None:
            remote = args[0] if args and "%s" in str(msg) else "a client"
            self.logger.warning("refused a malformed HTTP request from %s (%s, %s)", remote,
                                type(cause).__name__, cause.code)
            return
        self.logger.error(msg, *args, exc_info=exc_info, **kwargs)


def malformed_http(exc: BaseException | None) -> HttpProcessingError | None:
    """The parse error behind ``exc``, if a request aiohttp could not parse caused it (a
    body that fails to decompress surfaces later, wrapped, when aiohttp drains it)."""
    for _ in range(3):
        if exc is None or isinstance(exc, HttpProcessingError):
            return exc
        exc = exc.__cause__
    return None
