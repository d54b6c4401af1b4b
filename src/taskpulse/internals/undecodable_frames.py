"""Undecodable WebSocket frames: skipped and reported instead of ending the connection.

python-engineio's WebSocket reader decodes every frame it receives outside its error
handling. A text frame that is no Engine.IO packet at all (empty, or not starting with a
packet type 0-6) raises there, which ended the connection and logged a traceback at ERROR
(aiohttp's "Error handling request") for one frame a client sent. With this hook the reader
never sees such a frame: it is reported to ``on_undecodable`` (the server's malformed-packet
count, web/socket/packet_guard.py: one warning, the connection closed after a few) and the
reader waits for the next one.

Hook ``skip_undecodable_frames`` (setting ``sio_skip_undecodable_frames``). python-engineio has no
public way into its WebSocket reader: the hook subclasses the server's WebSocket adapter
in its private driver table (``AsyncServer._async``, per server, as ``fast_fanout`` does;
it wraps whichever adapter is there) and overrides the adapter's ``wait``, which the
reader calls for each frame. :func:`contract` lists what it needs of the library.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import engineio
from engineio import async_socket
from engineio.async_drivers import aiohttp as eio_aiohttp


PACKET_TYPES = "0123456"     # open, close, ping, pong, message, upgrade, noop


def decodable(data: Any) -> bool:
    """Whether python-engineio can decode this frame (any binary frame is a message)."""
    return not isinstance(data, str) or data[:1] in PACKET_TYPES and data != ""


def _skipping(base: type, on_undecodable: Callable[[str], None]) -> type:
    class UndecodableFrameSkippingWebSocket(base):  # type: ignore[valid-type,misc]
        async def wait(self) -> Any:
            while True:
                data = await super().wait()
                if data is None or decodable(data):
                    return data
                sock = getattr(self.handler, "__self__", None)   # the Engine.IO socket
                on_undecodable(str(getattr(sock, "sid", "?")))

    return UndecodableFrameSkippingWebSocket


def install(eio: engineio.AsyncServer, on_undecodable: Callable[[str], None]) -> None:
    """Skip undecodable frames on this server's WebSockets (no global change)."""
    driver = _skipping(eio._async["websocket"], on_undecodable)
    eio._async = {**eio._async, "websocket": driver}


def contract() -> list[str]:
    """What this hook needs of the installed library that is missing (empty: all there)."""
    problems = []
    table = getattr(engineio.AsyncServer(async_mode="aiohttp"), "_async", None)
    if not isinstance(table, dict) or not isinstance(table.get("websocket"), type):
        problems.append("engineio.AsyncServer._async['websocket'] is no longer a class")
    if not callable(getattr(eio_aiohttp.WebSocket, "wait", None)):
        problems.append("engineio.async_drivers.aiohttp.WebSocket.wait is gone")
    if "self.handler = handler" not in inspect.getsource(eio_aiohttp.WebSocket.__init__):
        problems.append("the aiohttp WebSocket adapter no longer keeps its handler")
    reader = getattr(async_socket.AsyncSocket, "_websocket_handler", None)
    if reader is None or "ws.wait()" not in inspect.getsource(reader):
        problems.append("AsyncSocket's WebSocket reader no longer reads frames with ws.wait()")
    return problems
