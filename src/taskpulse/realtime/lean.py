"""Less memory per idle connection: python-socketio's server with a leaner Engine.IO server.

Two per-connection costs of python-engineio are cut without changing its behaviour:

* Each connection's packet queue is an ``asyncio.Queue``, which allocates four empty
  ``collections.deque`` objects (items, getters, putters, and the ``join`` event's waiters)
  of ~760 bytes each. :class:`PacketQueue` keeps the waiters in small lists and holds a
  deque for items only while packets are waiting.
* Each connection's ping ran as a task sleeping ``ping_interval`` (a task, its coroutine
  frame, a sleep future and a timer). :class:`EngineIOServer` schedules the same ping with
  one loop timer instead.

See docs/performance.md ("Idle memory").
"""
from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

import engineio
import socketio
from engineio import async_socket
from engineio import packet as eio_packet

_SEND_PING = async_socket.AsyncSocket._send_ping


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
    """python-engineio's server with :class:`PacketQueue` and pings on loop timers."""

    def create_queue(self, *args: Any, **kwargs: Any) -> asyncio.Queue[Any]:
        if args or kwargs:   # a bounded queue or other options: the library's
            return super().create_queue(*args, **kwargs)  # type: ignore[no-any-return]
        return PacketQueue()

    def start_background_task(self, target: Any, *args: Any, **kwargs: Any) -> Any:
        # AsyncSocket.schedule_ping starts ``_send_ping`` (sleep ping_interval, then queue a
        # PING) as a task; the same on a timer.
        if getattr(target, "__func__", None) is _SEND_PING and not args and not kwargs:
            asyncio.get_running_loop().call_later(self.ping_interval, _ping, target.__self__)
            return None
        return super().start_background_task(target, *args, **kwargs)


def _ping(sock: async_socket.AsyncSocket) -> None:
    """What ``AsyncSocket._send_ping`` does after its sleep (its ``send`` cannot time the
    socket out here: ``last_ping`` was just set; the queue is unbounded)."""
    if not sock.closing and not sock.closed:
        sock.last_ping = time.time()
        sock.queue.put_nowait(eio_packet.Packet(eio_packet.PING))


class AsyncServer(socketio.AsyncServer):  # type: ignore[misc]
    """python-socketio's server on :class:`EngineIOServer`."""

    def _engineio_server_class(self) -> type[engineio.AsyncServer]:
        return EngineIOServer
