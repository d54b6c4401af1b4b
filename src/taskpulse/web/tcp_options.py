"""The TCP options of the connections the HTTP server accepts.

- ``TCP_NODELAY`` on (replies and WebSocket frames leave at once): aiohttp sets it on
  every connection; uvloop already has, and with the ``nodelay_once`` hook
  (internals/nodelay_once.py) aiohttp does not set it a second time there.
- ``SO_KEEPALIVE`` only with ``http_tcp_keepalive`` (off by default, aiohttp's
  ``tcp_keepalive``, a public option): the kernel's keep-alive probes notice a vanished
  peer after two hours of silence, long after the server's own checks have: a WebSocket
  or long-polling client that misses Engine.IO's pings is closed within
  ``sio_ping_interval + sio_ping_timeout``, and an idle HTTP keep-alive connection after
  aiohttp's 75 s. Setting it costs a system call for every connection, which a client
  that opens a new connection per poll pays on every poll. (Node's HTTP server leaves it
  off too.)
"""
from __future__ import annotations

from typing import Any

from aiohttp import web

from taskpulse.config import Config
from taskpulse.internals import nodelay_once
from taskpulse.keys import HOOKS
from taskpulse.web.server_log import ServerLog


def handler_args(config: Config) -> dict[str, Any]:
    """What aiohttp's request handlers are built with (``web.Application(handler_args=)``)."""
    return {"logger": ServerLog(), "tcp_keepalive": config.http_tcp_keepalive}


def setup_tcp_options(app: web.Application) -> None:
    if "nodelay_once" in app[HOOKS]:
        nodelay_once.install()
