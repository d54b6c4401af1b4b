"""Less memory per WebSocket: frames read without a task and a ``wait_for`` per frame.

python-engineio's WebSocket handler waits for each frame in a task of its own, through
``asyncio.wait_for(task, ping_interval + ping_timeout)``: while a connection idles it
holds a task (with its coroutine, context and entry in asyncio's task set), the
``wait_for`` coroutine, its waiter future and callback, and a loop timer - about 1.3 KB
and a dozen objects the garbage collector walks, per connection. :func:`serve_websocket`
does what that handler does, with the frame awaited directly (no task, no timer):

* an upgrade from long-polling first answers the client's ``probe`` PING, ends the
  pending long-poll with a NOOP and waits (without a timeout) for the UPGRADE packet;
  anything else there leaves the connection on long-polling, as before;
* a writer task sends what is queued for the socket, in order, and closes the WebSocket
  when the queue yields nothing (``None``) or a send fails;
* the reader hands each frame to the socket's ``receive`` until the client leaves, a
  frame is too large, the socket is closed or the handler is cancelled; then it ends the
  writer with ``None``, waits for it and closes the socket (``abort``, reason
  ``TRANSPORT_CLOSE``). A frame that is no Engine.IO packet raises out of the handler as
  before (``skip_undecodable_frames`` keeps it away). Neither keeps the last packet or
  frame it handled while it waits for the next.
* the deadline for the next frame (``ping_interval + ping_timeout``, as the library's)
  is a :class:`FrameDeadline` on a :class:`TimerHeap` shared by every connection, not a
  loop timer per connection set up again for every frame (~600 bytes per idle
  connection): a frame only notes its time, and the deadline is checked, and moved on,
  when its timer comes due. When it passes, the reader's task is cancelled and the
  cancellation taken back once the reader has stopped, as ``asyncio.timeout`` does.

Hook ``lean_reader`` (setting ``sio_lean_reader``). python-engineio has no public way to
choose how a socket reads its WebSocket: its socket hands its private
``_websocket_handler`` to the WebSocket adapter of the private driver table; the hook
subclasses whichever adapter is there (per server, as ``fast_fanout`` does) and swaps that
handler for :func:`serve_websocket`, bound to the same socket. Because the function
mirrors the library's handler, :func:`contract` also pins a fingerprint of that handler's
source: a changed handler turns the hook off until this module is checked against it.
See docs/performance.md ("Seventh round").
"""
from __future__ import annotations

import asyncio
import hashlib
import inspect
from collections.abc import Awaitable, Callable
from types import MethodType
from typing import Any

import engineio
from engineio import async_socket
from engineio import exceptions as eio_exceptions
from engineio import packet as eio_packet

from taskpulse.internals.idle_memory import PacketQueue
from taskpulse.timer_heap import TimerHeap

_LIBRARY_HANDLER = async_socket.AsyncSocket._websocket_handler
# sha256 of the source of python-engineio 4.15.1's AsyncSocket._websocket_handler, the
# handler serve_websocket does the work of.
HANDLER_FINGERPRINT = "27f120df4d717a24478b7b0f7389ce19eea8a881dd07e2c81fb1cf2493e006a5"


def fingerprint(function: Any) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()


async def _upgrade(sock: Any, ws: Any, frame: Callable[[], Awaitable[Any]]) -> bool:
    """The upgrade exchange of a connection that is on long-polling; True once upgraded."""
    sock.upgrading = True     # holds packet sends meanwhile
    try:
        probe = eio_packet.Packet(encoded_packet=await frame())
    except OSError:
        return False
    if probe.packet_type != eio_packet.PING or probe.data != "probe":
        sock.server.logger.info("%s: Failed websocket upgrade, no PING packet", sock.sid)
        sock.upgrading = False
        return False
    await ws.send(eio_packet.Packet(eio_packet.PONG, data="probe").encode())
    await sock.queue.put(eio_packet.Packet(eio_packet.NOOP))   # ends the pending long-poll
    try:
        encoded = await frame()
    except OSError:
        sock.upgrading = False
        return False
    if eio_packet.Packet(encoded_packet=encoded).packet_type != eio_packet.UPGRADE:
        sock.upgraded = False
        sock.server.logger.info("%s: Failed websocket upgrade, expected UPGRADE packet, "
                                "received %s instead.", sock.sid, encoded)
        sock.upgrading = False
        return False
    sock.upgraded = True
    sock.upgrading = False
    return True


async def _writer(sock: Any, ws: Any) -> None:
    """Send what is queued for the socket until its queue yields nothing; then close.

    Nothing sent is kept while the next packets are awaited: an idle connection's writer
    would otherwise hold the last packets it wrote (its welcome, most often). On a
    :class:`PacketQueue` (``lean_connections``) an idle writer waits on the queue's
    :meth:`~PacketQueue.arrival` itself, not suspended in ``poll`` and the queue's ``get``
    (two coroutines, ~500 bytes)."""
    queue = sock.queue
    while True:
        try:
            if isinstance(queue, PacketQueue) and queue.empty():
                await queue.arrival()
            packets = await sock.poll()
        except (eio_exceptions.QueueEmpty, asyncio.CancelledError):   # as ``poll`` ends
            break
        if not packets or not await _sent(ws, packets):
            break
        packets = None
    await ws.close()


async def _sent(ws: Any, packets: list[Any]) -> bool:
    try:
        for pkt in packets:
            await ws.send(pkt.encode())
    except BaseException:    # the library's writer ends on any failure to send
        return False
    return True


_DEADLINES = TimerHeap()


class FrameDeadline:
    """A reader's deadline for its next frame, checked when its heap timer comes due."""

    __slots__ = ("task", "timeout", "last", "waiting", "expired", "entry")

    def __init__(self, task: asyncio.Task[Any], timeout: float) -> None:
        self.task = task
        self.timeout = timeout
        self.last = asyncio.get_running_loop().time()    # when a frame last came
        self.waiting = False      # the reader is waiting for a frame (may be cancelled)
        self.expired = False      # the reader's task was cancelled for silence
        self.entry = _DEADLINES.call_later(timeout, _check, self)

    def stop(self) -> None:
        _DEADLINES.cancel(self.entry)


# The shortest wait before a deadline is checked again: the heap runs what is due within
# 1 ms, and the loop's clock stands still while it does, so a shorter one would come due
# again in the same run, and again.
RECHECK_SECONDS = 0.01


def _check(deadline: FrameDeadline) -> None:
    left = deadline.last + deadline.timeout - asyncio.get_running_loop().time()
    if left > 0 or not deadline.waiting:   # a frame came meanwhile, or one is being handled
        delay = max(left, RECHECK_SECONDS) if left > 0 else deadline.timeout
        deadline.entry = _DEADLINES.call_later(delay, _check, deadline)
        return
    deadline.expired = True
    deadline.task.cancel()


async def serve_websocket(sock: async_socket.AsyncSocket, ws: Any) -> None:
    """What ``AsyncSocket._websocket_handler`` does, waiting for frames directly."""
    server = sock.server
    largest = server.max_http_buffer_size

    async def frame() -> Any:
        data = await ws.wait()
        if data and len(data) > largest:
            raise ValueError("packet is too large")
        return data

    if sock.connected:   # on long-polling until now
        if not await _upgrade(sock, ws, frame):
            return
    else:
        sock.connected = True
        sock.upgraded = True
    writer = asyncio.ensure_future(_writer(sock, ws))
    server.logger.info("%s: Upgrade to websocket successful", sock.sid)
    task = asyncio.current_task()
    assert task is not None
    deadline = FrameDeadline(task, server.ping_interval + server.ping_timeout)
    loop = asyncio.get_running_loop()
    try:    # the loop is inline: a coroutine of ours around it would be kept while idle
        while True:
            deadline.waiting = True
            try:    # the adapter's wait itself
                data = await ws.wait()
            except BaseException:    # silent too long, cancelled, the client gone
                if deadline.expired:
                    task.uncancel()
                break
            deadline.waiting = False
            deadline.last = loop.time()
            if data is None or len(data) > largest:   # the client left; too large (the
                break                                 # library's reader gives up on it)
            if not await _received(sock, data):
                break
            data = None    # the last frame is not kept while the next is awaited
    finally:
        deadline.stop()
    await sock.queue.put(None)    # ends the writer
    await writer
    await sock.close(wait=False, abort=True, reason=server.reason.TRANSPORT_CLOSE)


async def _received(sock: Any, data: Any) -> bool:
    """Hand a frame's packet to the socket; False once the socket is closed. A frame that
    is no packet raises, as in the library's reader (see ``skip_undecodable_frames``)."""
    pkt = eio_packet.Packet(encoded_packet=data)
    try:
        await sock.receive(pkt)
    except eio_exceptions.UnknownPacketError:
        pass
    except eio_exceptions.SocketIsClosedError:
        sock.server.logger.info("Receive error -- socket is closed")
        return False
    except Exception:
        sock.server.logger.exception("Unknown receive error")
    return True


def _reading(base: type) -> type:
    class LeanReaderWebSocket(base):  # type: ignore[valid-type,misc]
        def __init__(self, handler: Any, server: Any) -> None:
            sock = getattr(handler, "__self__", None)
            if getattr(handler, "__func__", None) is _LIBRARY_HANDLER:
                handler = MethodType(serve_websocket, sock)
            super().__init__(handler, server)

    return LeanReaderWebSocket


def install(eio: engineio.AsyncServer) -> None:
    """Serve this server's WebSockets with :func:`serve_websocket` (no global change)."""
    eio._async = {**eio._async, "websocket": _reading(eio._async["websocket"])}


def contract() -> list[str]:
    """What this hook needs of the installed library that is missing (empty: all there)."""
    problems = []
    handler = getattr(async_socket.AsyncSocket, "_websocket_handler", None)
    if handler is None:
        return ["AsyncSocket._websocket_handler is gone"]
    if fingerprint(handler) != HANDLER_FINGERPRINT:
        problems.append("AsyncSocket._websocket_handler changed since serve_websocket was "
                        "written after it")
    upgrade = inspect.getsource(async_socket.AsyncSocket._upgrade_websocket)
    if "self._websocket_handler, self.server" not in upgrade:
        problems.append("AsyncSocket no longer hands _websocket_handler to the WebSocket "
                        "adapter")
    for name in ("receive", "poll", "close"):
        if not callable(getattr(async_socket.AsyncSocket, name, None)):
            problems.append(f"AsyncSocket.{name} is gone")
    table = getattr(engineio.AsyncServer(async_mode="aiohttp"), "_async", None)
    if not isinstance(table, dict) or not isinstance(table.get("websocket"), type):
        problems.append("engineio.AsyncServer._async['websocket'] is no longer a class")
    return problems
