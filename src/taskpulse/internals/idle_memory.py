"""Less memory per idle connection: python-socketio's server with a leaner Engine.IO server.

Per-connection costs of python-engineio are cut without changing its behaviour:

* Each connection's packet queue is an ``asyncio.Queue``, which allocates four empty
  ``collections.deque`` objects (items, getters, putters, and the ``join`` event's waiters)
  of ~760 bytes each. :class:`PacketQueue` keeps the waiters in small lists and holds a
  deque for items only while packets are waiting.
* Each connection waited for packets through ``asyncio.wait_for`` (a task and a timer per
  WebSocket connection, and per long-polling request, on Python 3.11); :func:`_poll`
  waits on the queue directly.
* Each connection's ping ran as a task sleeping ``ping_interval`` (a task, its coroutine
  frame, a sleep future and a timer). :class:`EngineIOServer` schedules the same ping on a
  :class:`TimerHeap`: one heap entry per connection, one loop timer for all of them (a
  uvloop timer alone is ~600 bytes).
* python-socketio keeps the connect request's environ (every header) for the connection's
  whole life; :func:`compact_environ` trims it to what a later connect reads.

Hook ``lean_connections`` (setting ``sio_lean_connections``). python-socketio and
python-engineio have no public way to choose the Engine.IO server class, the socket's
wait for packets or how pings are scheduled: it overrides the private
``_engineio_server_class`` and ``_handle_eio_connect``, recognises the private
``AsyncSocket._send_ping`` and gives each socket python-engineio made the class
:class:`LeanSocket` (its own ``poll``); :class:`PacketQueue` replaces private parts of
``asyncio.Queue``. ``create_queue`` is python-engineio's public queue factory.
:func:`contract` lists what it needs of the installed libraries.
See docs/performance.md ("Idle memory").
"""
from __future__ import annotations

import asyncio
import logging
import inspect
import time
from collections import deque
from typing import Any

import engineio
import engineio.exceptions
import socketio
import socketio.base_server
from engineio import async_socket
from engineio import packet as eio_packet

from taskpulse.timer_heap import TimerHeap

log = logging.getLogger(__name__)

_SEND_PING = async_socket.AsyncSocket._send_ping
# At most this many packets in one long-poll answer, the rest on the next poll: the Python
# client (python-engineio's Payload.max_decode_packets) aborts on a payload of more.
MAX_POLL_PACKETS = 16


class _Waiters(list[Any]):
    """The deque methods ``asyncio.Queue`` and ``asyncio.Event`` use on their waiters, on a
    list (a connection's queue has at most one or two waiters)."""

    __slots__ = ()

    def popleft(self) -> Any:
        return self.pop(0)


class PacketQueue(asyncio.Queue[Any]):
    """An unbounded ``asyncio.Queue`` that costs ~3 KiB less while empty."""

    def __init__(self) -> None:
        super().__init__()
        self._getters = _Waiters()
        self._putters = _Waiters()
        self._finished._waiters = _Waiters()  # type: ignore[attr-defined]

    def _init(self, maxsize: int) -> None:
        self._queue: deque[Any] | tuple[()] = ()

    def _put(self, item: Any) -> None:
        if not self._queue:
            self._queue = deque()
        self._queue.append(item)  # type: ignore[union-attr]

    def _get(self) -> Any:
        item = self._queue.popleft()  # type: ignore[union-attr]
        if not self._queue:
            self._queue = ()
        return item

    def arrival(self) -> asyncio.Future[None]:
        """Done when something is put: what ``get`` waits on, without ``get``'s coroutine
        (a WebSocket's writer awaits it directly while idle, then takes what came)."""
        loop = self._get_loop()  # type: ignore[attr-defined]
        waiter: asyncio.Future[None] = loop.create_future()
        self._getters.append(waiter)
        return waiter


class EngineIOServer(engineio.AsyncServer):  # type: ignore[misc]
    """python-engineio's server with :class:`PacketQueue` and pings on a :class:`TimerHeap`."""

    ping_timers: TimerHeap | None = None

    def create_queue(self, *args: Any, **kwargs: Any) -> asyncio.Queue[Any]:
        if args or kwargs:   # a bounded queue or other options: the library's
            return super().create_queue(*args, **kwargs)  # type: ignore[no-any-return]
        return PacketQueue()

    def start_background_task(self, target: Any, *args: Any, **kwargs: Any) -> Any:
        # AsyncSocket.schedule_ping starts ``_send_ping`` (sleep ping_interval, then queue a
        # PING) as a task; the same on a timer.
        if getattr(target, "__func__", None) is _SEND_PING and not args and not kwargs:
            if self.ping_timers is None:
                self.ping_timers = TimerHeap()
            self.ping_timers.call_later(self.ping_interval, _ping, target.__self__)
            return None
        return super().start_background_task(target, *args, **kwargs)


def _ping(sock: async_socket.AsyncSocket) -> None:
    """What ``AsyncSocket._send_ping`` does after its sleep (its ``send`` cannot time the
    socket out here: ``last_ping`` was just set; the queue is unbounded)."""
    if not sock.closing and not sock.closed:
        sock.last_ping = time.time()
        sock.queue.put_nowait(eio_packet.Packet(eio_packet.PING))


async def _poll(sock: async_socket.AsyncSocket) -> list[Any]:
    """``AsyncSocket.poll`` without ``asyncio.wait_for``: what is waiting, in order.

    On Python 3.11 ``wait_for`` runs ``queue.get()`` as a task of its own (a task, and two
    extra loop turns before the packet is handed on). A WebSocket writer waits on the queue
    directly: that wait needs no timeout, as the connection's reader waits for the client
    with the same timeout and, when it gives up (or the client leaves), puts ``None`` on the
    queue, which ends the writer. A long-polling request keeps the library's timeout
    (``ping_interval + ping_timeout``) through ``asyncio.timeout`` (no task), and when
    packets are already waiting, as they often are when a client polls again, takes them
    without setting up a wait at all."""
    queue = sock.queue
    if queue.empty():
        try:
            if sock.upgraded:
                first = await queue.get()
            else:
                server = sock.server
                async with asyncio.timeout(server.ping_interval + server.ping_timeout):
                    first = await queue.get()
        except (TimeoutError, asyncio.CancelledError):
            raise engineio.exceptions.QueueEmpty() from None
    else:
        first = queue.get_nowait()
    queue.task_done()
    if first is None:
        return []
    packets = [first]
    limit = None if sock.upgraded else MAX_POLL_PACKETS
    while not queue.empty() and (limit is None or len(packets) < limit):
        # the rest of what is waiting, as the library does (a long-poll: up to the limit)
        pkt = queue.get_nowait()
        queue.task_done()
        if pkt is None:
            queue.put_nowait(None)
            break
        packets.append(pkt)
    return packets


class LeanSocket(async_socket.AsyncSocket):  # type: ignore[misc]
    """python-engineio's socket, waiting for packets with :func:`_poll`. python-engineio
    makes its sockets itself (no class to choose), so this class is set on each one as it
    is made. (A ``poll`` bound to the socket and stored on it would be a reference cycle:
    the socket would be freed only by a garbage collection, not when it closes.)"""

    poll = _poll


class AsyncServer(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server on :class:`EngineIOServer`; its connections wait for
    packets with :func:`_poll`."""

    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        return EngineIOServer

    async def _handle_eio_connect(self, eio_sid: str, environ: dict[str, Any]) -> Any:
        # python-engineio creates the socket itself (no class to swap); this runs before
        # its writer starts.
        sock = self.eio.sockets.get(eio_sid)
        if type(sock) is async_socket.AsyncSocket:
            sock.__class__ = LeanSocket
        return await super()._handle_eio_connect(eio_sid, environ)


# What a later connect on the same Engine.IO connection reads (a client may leave the
# namespace and join it again without reconnecting); see compact_environ.
ENVIRON_KEPT = frozenset({
    "HTTP_ORIGIN", "HTTP_REFERER", "HTTP_HOST", "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_AUTHORIZATION", "HTTP_COOKIE",
    "QUERY_STRING", "REMOTE_ADDR", "wsgi.url_scheme", "aiohttp.request"})


def compact_environ(environ: dict[str, Any]) -> None:
    """Keep only what the handshake reads. python-engineio builds the environ from every
    request header and python-socketio keeps it for the connection's whole life (~1.2 KB
    of an idle connection); it is trimmed in place because the same dict is referenced
    by the request handling that serves a WebSocket connection."""
    kept = {k: environ[k] for k in ENVIRON_KEPT if k in environ}
    environ.clear()     # frees the table; deleting keys one by one would not
    environ.update(kept)


def contract() -> list[str]:
    """What this hook needs of the installed libraries that is missing (empty: all there)."""
    problems = []
    for owner, name in ((socketio.AsyncServer, "_engineio_server_class"),
                        (socketio.AsyncServer, "_handle_eio_connect"),
                        (async_socket.AsyncSocket, "_send_ping"),
                        (async_socket.AsyncSocket, "poll"),
                        (engineio.AsyncServer, "create_queue"),
                        (engineio.AsyncServer, "start_background_task")):
        if not callable(getattr(owner, name, None)):
            problems.append(f"{owner.__module__}.{owner.__qualname__}.{name} is gone")
    if not problems:
        if "self._send_ping" not in inspect.getsource(async_socket.AsyncSocket.schedule_ping):
            problems.append("AsyncSocket.schedule_ping no longer starts _send_ping")
        if "self.poll()" not in inspect.getsource(async_socket.AsyncSocket):
            problems.append("AsyncSocket no longer waits for packets through self.poll()")
        if "async_socket.AsyncSocket(self, sid)" not in inspect.getsource(
                engineio.AsyncServer._handle_connect):
            problems.append("engineio.AsyncServer no longer makes its sockets as "
                            "async_socket.AsyncSocket")
        if "self._engineio_server_class()(" not in inspect.getsource(
                socketio.base_server.BaseServer.__init__):
            problems.append("socketio.AsyncServer no longer builds its Engine.IO server "
                            "from _engineio_server_class()")
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for name in ("_getters", "_putters", "_finished", "_init", "_put", "_get", "_wakeup_next"):
        if not hasattr(queue, name):
            problems.append(f"asyncio.Queue.{name} is gone")
    if not hasattr(getattr(queue, "_finished", None), "_waiters"):
        problems.append("asyncio.Event._waiters is gone")
    return problems
