"""Less memory per WebSocket: what aiohttp keeps of the upgrade request, released.

A WebSocket's request stays referenced for the connection's whole life (the handler chain
that serves it is suspended in it), and with it much of what aiohttp made to parse and
answer the upgrade. Once the WebSocket is open, none of this is read again:

* the HTTP parser and its message queue (an empty ``collections.deque`` is ~760 bytes):
  once aiohttp has handed the connection to the WebSocket reader, it feeds every byte to
  that reader and uses neither again;
* the response's headers (sent with the ``101``; a ``CIMultiDict`` of ~800 bytes);
* the request's headers beyond those a later Socket.IO connect on the same connection
  reads (the set python-socketio's kept environ holds, ``idle_memory.ENVIRON_KEPT``): a
  browser sends a dozen more (``User-Agent``, ``Accept-*``, ``Sec-WebSocket-*``...). The
  request's ``raw_headers`` (a tuple) cannot be trimmed: aiohttp's request handler keeps
  the parsed message in a local of its loop whatever the request holds;
* for a connection that opened on long-polling, the upgrade request's environ (every
  header again as ``HTTP_*``), trimmed as python-socketio's own environ is;
* two things every WebSocket writer makes that a server's uncompressed WebSocket never
  uses: a ``partial`` drawing the random masks only a client's frames carry, and the set
  holding the tasks that send large compressed frames (an empty set is 216 bytes); the
  writer gets ``None`` and one set shared by every connection (a task there removes
  itself when done, as from its own).

Hook ``lean_upgrades`` (setting ``sio_lean_upgrades``). aiohttp has no public way to drop
a protocol's parser or to change a request's headers: the hook sets the request handler's
private ``_parser`` to ``None`` and replaces its private ``_messages``, and trims the
request's headers in the ``CIMultiDict`` behind the read-only ``request.headers`` (found
with ``gc.get_referents``, the proxy's only referent of that type); the response's headers
are cleared through the public ``headers``. It runs at the first ``wait`` of
python-engineio's WebSocket adapter (a subclass of whichever adapter is in the private
driver table, per server, as ``fast_fanout`` does): the handshake is done by then.
``wait`` stays a plain method returning the adapter's own coroutine, so an idle
connection gets no extra frame. :func:`contract` lists what it needs of the installed
libraries. See docs/performance.md ("Seventh round").
"""
from __future__ import annotations

import gc
import inspect
from typing import Any

import engineio
from aiohttp import base_protocol, web, web_protocol, web_ws
from aiohttp._websocket.writer import WebSocketWriter
from engineio import async_socket
from engineio.async_drivers import aiohttp as eio_aiohttp
from multidict import CIMultiDict, CIMultiDictProxy

from taskpulse.internals.idle_memory import ENVIRON_KEPT, compact_environ

# The request headers kept (upper case): those of the kept environ, plus ``Forwarded``,
# which aiohttp's own ``request.forwarded`` reads.
HEADERS_KEPT = frozenset({key[5:].replace("_", "-") for key in ENVIRON_KEPT
                          if key.startswith("HTTP_")} | {"FORWARDED"})


_SHARED_SEND_TASKS: set[Any] = set()


class _NoMessages(list[Any]):
    """An HTTP message queue that stays empty, at the cost of an empty list: the
    methods aiohttp's request handler uses on its ``collections.deque``."""

    __slots__ = ()

    def popleft(self) -> Any:
        return self.pop(0)


def _headers_dict(headers: CIMultiDictProxy[str]) -> CIMultiDict[str] | None:
    """The dict behind a read-only headers proxy (the proxy's one referent of that type)."""
    behind = [r for r in gc.get_referents(headers) if type(r) is CIMultiDict]
    return behind[0] if len(behind) == 1 else None


def trim_request_headers(request: web.BaseRequest) -> None:
    """Keep only :data:`HEADERS_KEPT` of the request's headers, in place: the parsed
    message stays referenced by aiohttp's request handler (a local of its loop) whatever
    the request holds, so its headers are emptied where they are."""
    headers = _headers_dict(request.headers)
    if headers is None:
        return
    kept = [(name, value) for name, value in headers.items()
            if name.upper() in HEADERS_KEPT]
    if len(kept) < len(headers):
        headers.clear()      # frees the table; deleting keys one by one would not
        headers.extend(kept)


def release(request: web.BaseRequest, response: web.StreamResponse) -> bool:
    """Drop what aiohttp keeps of an upgrade request whose WebSocket is open; False (and
    nothing changed) unless the request's connection is now a WebSocket's."""
    protocol: Any = request.protocol
    if (protocol is None or protocol._parser is None or protocol._payload_parser is None
            or not protocol._upgraded or not response.prepared):
        return False
    protocol._parser = None
    if not protocol._messages:
        protocol._messages = _NoMessages()
    trim_request_headers(request)
    response.headers.clear()
    writer = getattr(response, "_writer", None)
    if type(writer) is WebSocketWriter and not writer.use_mask and not writer.compress:
        writer.get_random_bits = None   # type: ignore[assignment]
        writer._background_tasks = _SHARED_SEND_TASKS
    return True


def _lean(base: type) -> type:
    class LeanUpgradeWebSocket(base):  # type: ignore[valid-type,misc]
        def wait(self) -> Any:
            # Not a coroutine function: the adapter's own ``wait`` is what an idle
            # connection is suspended in. The first call comes after the handshake.
            request = self.environ.get("aiohttp.request")
            if request is not None and release(request, self._sock):
                sock = getattr(self.handler, "__self__", None)   # the Engine.IO socket
                if getattr(sock, "upgrading", False):
                    # From long-polling: this environ is not the one python-socketio
                    # keeps, and nothing reads it again.
                    compact_environ(self.environ)
            return super().wait()

    return LeanUpgradeWebSocket


def install(eio: engineio.AsyncServer) -> None:
    """Release the upgrade requests of this server's WebSockets (no global change)."""
    eio._async = {**eio._async, "websocket": _lean(eio._async["websocket"])}


def _missing_source(owner: Any, needles: tuple[str, ...]) -> list[str]:
    source = inspect.getsource(owner)
    return [needle for needle in needles if needle not in source]


def contract() -> list[str]:
    """What this hook needs of the installed libraries that is missing (empty: all there)."""
    problems = []
    slots = {name for cls in web_protocol.RequestHandler.__mro__
             for name in cls.__dict__.get("__slots__", ())}
    for name in ("_messages", "_payload_parser", "_parser", "_upgraded"):
        if name not in slots:
            problems.append(f"aiohttp's RequestHandler has no {name} slot")
    for needle in _missing_source(web_protocol.RequestHandler, (
            "if self._payload_parser is None and not self._upgraded:",
            "if self._parser is not None:", "self._messages.popleft()")):
        problems.append(f"aiohttp's RequestHandler changed: no {needle!r}")
    if _missing_source(base_protocol.BaseProtocol.pause_reading, ("if not self._upgraded:",)):
        problems.append("aiohttp's BaseProtocol.pause_reading no longer skips the parser "
                        "of an upgraded connection")
    headers = CIMultiDict(Host="h", Upgrade="websocket")
    if _headers_dict(CIMultiDictProxy(headers)) is not headers:
        problems.append("a CIMultiDictProxy no longer shows the garbage collector its dict")
    if "set_parser(" not in inspect.getsource(web_ws.WebSocketResponse):
        problems.append("aiohttp's WebSocketResponse no longer hands its connection to "
                        "a WebSocket reader with set_parser")
    for needle in _missing_source(WebSocketWriter, (
            "self.get_random_bits = ", "if use_mask:", "self._background_tasks.add(",
            "self._background_tasks.discard")):
        problems.append(f"aiohttp's WebSocketWriter changed: no {needle!r}")
    if "self._writer" not in inspect.getsource(web_ws.WebSocketResponse):
        problems.append("aiohttp's WebSocketResponse no longer keeps its writer in _writer")
    if not callable(getattr(eio_aiohttp.WebSocket, "wait", None)):
        problems.append("engineio.async_drivers.aiohttp.WebSocket.wait is gone")
    if "self._sock" not in inspect.getsource(eio_aiohttp.WebSocket) or \
            "self.environ = environ" not in inspect.getsource(eio_aiohttp.WebSocket):
        problems.append("the aiohttp WebSocket adapter no longer keeps _sock and environ")
    table = getattr(engineio.AsyncServer(async_mode="aiohttp"), "_async", None)
    if not isinstance(table, dict) or not isinstance(table.get("websocket"), type):
        problems.append("engineio.AsyncServer._async['websocket'] is no longer a class")
    reader = getattr(async_socket.AsyncSocket, "_websocket_handler", None)
    if reader is None or "ws.wait()" not in inspect.getsource(reader):
        problems.append("AsyncSocket's WebSocket reader no longer reads frames with ws.wait()")
    return problems
