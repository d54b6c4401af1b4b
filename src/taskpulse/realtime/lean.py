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
  uvloop timer alone is ~600 bytes). The token-expiry timers (``stream.py``) use one too.

See docs/performance.md ("Idle memory").
"""
from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Callable
from collections import deque
from types import MethodType
from typing import Any

import engineio
import engineio.exceptions
import socketio
from engineio import async_socket
from engineio import packet as eio_packet

log = logging.getLogger(__name__)

_SEND_PING = async_socket.AsyncSocket._send_ping

# A scheduled call: [when (loop time), sequence, callback or None once cancelled, argument].
Entry = list[Any]


class TimerHeap:
    """Many timers on one event-loop timer, for callbacks that are cheap and synchronous.

    ``call_later`` returns an entry to pass to ``cancel``; cancelled entries are dropped
    when they reach the top of the heap, or all at once when they are half of it."""

    def __init__(self) -> None:
        self._heap: list[Entry] = []
        self._seq = itertools.count()
        self._handle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._cancelled = 0

    def __len__(self) -> int:
        return len(self._heap) - self._cancelled

    def call_later(self, delay: float, callback: Callable[[Any], None], arg: Any) -> Entry:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:   # a new loop (tests): the old one's timers are gone
            self.close()
            self._loop = loop
        entry: Entry = [loop.time() + max(0.0, delay), next(self._seq), callback, arg]
        heapq.heappush(self._heap, entry)
        if self._heap[0] is entry:
            self._arm()
        return entry

    def cancel(self, entry: Entry) -> None:
        if entry[2] is None:
            return
        entry[2] = entry[3] = None
        self._cancelled += 1
        if self._cancelled > 64 and self._cancelled * 2 > len(self._heap):
            self._heap = [e for e in self._heap if e[2] is not None]
            heapq.heapify(self._heap)
            self._cancelled = 0

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle = None
        for entry in self._heap:
            entry[2] = entry[3] = None
        self._heap.clear()
        self._cancelled = 0

    def _arm(self) -> None:
        assert self._loop is not None
        if self._handle is not None:
            self._handle.cancel()
        self._handle = self._loop.call_at(self._heap[0][0], self._run)

    def _run(self) -> None:
        assert self._loop is not None
        self._handle = None
        heap = self._heap
        now = self._loop.time() + 0.001   # libuv timers have millisecond resolution
        while heap and heap[0][0] <= now:
            entry = heapq.heappop(heap)
            callback, arg = entry[2], entry[3]
            if callback is None:
                self._cancelled -= 1
                continue
            entry[2] = entry[3] = None   # done: a later cancel() is a no-op
            try:
                callback(arg)
            except Exception:
                log.exception("timer callback %r failed", callback)
        if heap:
            self._arm()


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
    while not queue.empty():      # the rest of what is waiting, as the library does
        pkt = queue.get_nowait()
        queue.task_done()
        if pkt is None:
            queue.put_nowait(None)
            break
        packets.append(pkt)
    return packets


class AsyncServer(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server on :class:`EngineIOServer`; its connections wait for
    packets with :func:`_poll`."""

    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        return EngineIOServer

    async def _handle_eio_connect(self, eio_sid: str, environ: dict[str, Any]) -> Any:
        # python-engineio creates the socket itself (no class to swap); this runs before
        # its writer starts.
        sock = self.eio.sockets.get(eio_sid)
        if sock is not None:
            sock.poll = MethodType(_poll, sock)
        return await super()._handle_eio_connect(eio_sid, environ)
