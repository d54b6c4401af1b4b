"""The WebSocket transport and the room fan-out fast path.

python-socketio delivers a room emit through one task per recipient (create the task, put
the packet on the connection's queue, wake its writer task, encode, send). That costs
several times the CPU of the Node Socket.IO server per delivered event. Here:

* :func:`install` replaces python-engineio's aiohttp WebSocket adapter with one that refuses
  per-message deflate unless ``compression`` is on (browsers always offer it; it costs about
  90 KiB of zlib state per connection and a fifth of the CPU per event) and keeps a registry
  of open WebSockets by Engine.IO session id.
* :class:`FanoutManager` encodes each room packet once, builds the WebSocket frame once and
  hands those same bytes to every idle WebSocket recipient, in one synchronous loop (no
  task, no await per recipient); after a connection's first frame of an event-loop turn,
  the rest of a burst is written together at the end of the turn (two system calls per
  tab for a burst, not one per event). A recipient
  that is not idle - long-polling, upgrading, compressed, with packets still queued or a
  write in flight, or with a full socket buffer - gets the packet on its Engine.IO queue
  exactly as python-socketio does, so order is kept.
  Emits with an ack callback or binary data take python-socketio's own path.

Hook ``fast_fanout`` (setting ``sio_fast_fanout``). It relies on python-engineio's private
driver table (``AsyncServer._async``: no public way to choose the WebSocket class), the
aiohttp adapter's ``_sock``, ``asyncio.Queue._unfinished_tasks`` (no public "taken and
written" count) and writes to the aiohttp transport directly (aiohttp's writer has no
public "write these bytes as they are"). python-socketio's documented extension point,
a manager passed as ``client_manager=``, is how the manager goes in. :func:`contract`
lists what it needs of the installed libraries.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
import struct
from typing import Any

import engineio
import socketio
from aiohttp import web
from engineio import base_socket as socket_base
from engineio import packet as eio_packet
from engineio.async_drivers import aiohttp as eio_aiohttp
from socketio import packet as sio_packet

from taskpulse.delivery import json_codec as codec
from taskpulse.internals.closed_websockets import drop_tracebacks

log = logging.getLogger(__name__)

# Above this many bytes waiting in a socket's buffer, frames go through the Engine.IO queue
# (whose writer waits for the buffer to drain) instead of being written directly.
WRITE_BUFFER_LIMIT = 64 * 1024
# At most this many frames per connection wait for the end of the loop turn (see _flush).
MAX_HELD_FRAMES = 256

_FIN_TEXT = 0x81


def text_frame(payload: bytes) -> bytes:
    """An unmasked, final WebSocket text frame (RFC 6455 section 5.2), as servers send."""
    n = len(payload)
    if n < 126:
        return struct.pack("!BB", _FIN_TEXT, n) + payload
    if n < 65536:
        return struct.pack("!BBH", _FIN_TEXT, 126, n) + payload
    return struct.pack("!BBQ", _FIN_TEXT, 127, n) + payload


def message_frame(pkt: eio_packet.Packet | str) -> bytes:
    """The WebSocket frame of an Engine.IO MESSAGE packet, or of the packet with this text
    (``"4" + text``, as ``Packet(MESSAGE, text).encode()`` gives it)."""
    if isinstance(pkt, str):
        return text_frame(("4" + pkt).encode())
    return text_frame(pkt.encode().encode())


class Registry(dict[str, "TaskpulseWebSocket"]):
    """Open WebSockets by Engine.IO session id."""


class TaskpulseWebSocket(eio_aiohttp.WebSocket):  # type: ignore[misc]
    """python-engineio's aiohttp adapter, with compression chosen and the socket registered."""

    registry: Registry
    compress: bool = False
    direct: bool = False      # may frames be written to it directly at all (see __call__)

    async def __call__(self, environ: dict[str, Any]) -> web.WebSocketResponse:
        request: web.Request = environ["aiohttp.request"]
        self._sock = web.WebSocketResponse(max_msg_size=self.server.max_http_buffer_size,
                                           compress=self.compress)
        await self._sock.prepare(request)
        self.environ = environ
        self.transport = request.transport
        self.sending = 0
        self.eio_socket = getattr(self.handler, "__self__", None)
        # Fixed once the WebSocket is open (compression is negotiated in ``prepare``).
        self.direct = (self.eio_socket is not None and self.transport is not None
                       and not self._sock.compress)
        sid = getattr(self.eio_socket, "sid", None)
        if sid is not None:
            self.registry[sid] = self
        try:
            await self.handler(self)
        finally:
            if sid is not None and self.registry.get(sid) is self:
                del self.registry[sid]
            drop_tracebacks(self._sock.exception())
        return self._sock

    async def send(self, message: str | bytes) -> None:
        # Counted so the fast path never writes while the Engine.IO writer is mid-send.
        self.sending += 1
        try:
            await super().send(message)
        finally:
            self.sending -= 1

    def closed_for_writes(self) -> bool:
        return bool(self._sock.closed)

    def writable_now(self) -> bool:
        """Can a frame be written directly, without overtaking anything queued?"""
        if not self.direct or self.sending:
            return False
        sock: Any = self.eio_socket     # neither is None when ``direct``
        transport: Any = self.transport
        return (not sock.closed and sock.upgraded and not sock.upgrading
                # every packet ever queued taken *and* written (``task_done``): one
                # taken but not yet written still counts
                and getattr(sock.queue, "_unfinished_tasks", 1) == 0
                and not self._sock.closed and not transport.is_closing()
                and transport.get_write_buffer_size() <= WRITE_BUFFER_LIMIT)


class FanoutManager(socketio.AsyncManager):  # type: ignore[misc]
    """AsyncManager whose room emits encode once and write the same frame to every idle
    WebSocket recipient."""

    websockets: Registry | None = None
    # Frames written directly during this turn of the event loop, by connection; flushed
    # together once the turn's other callbacks have run (see _flush).
    _pending: dict[TaskpulseWebSocket, list[bytes]] | None = None

    async def emit(self, event: str, data: Any, namespace: str, room: Any = None,
                   skip_sid: Any = None, callback: Any = None, to: Any = None,
                   **kwargs: Any) -> None:
        room = to or room
        websockets = self.websockets
        if callback is not None or websockets is None or namespace not in self.rooms:
            return await super().emit(event, data, namespace, room=room, skip_sid=skip_sid,
                                      callback=callback, **kwargs)
        if isinstance(room, str) and not self.rooms[namespace].get(room):
            return            # nobody there (python-socketio would send to no one either)
        if isinstance(data, tuple):
            args = list(data)
        else:
            args = [] if data is None else [data]
        # No scan for bytes (python-socketio's recursive scan is a third of the cost of an
        # emit): JSON encoders refuse bytes, and then the library's path is used.
        try:
            encoded = self.encode_event(namespace, [event, *args])
        except TypeError:
            encoded = None
        if not isinstance(encoded, str):   # binary attachments: several Engine.IO packets
            return await super().emit(event, data, namespace, room=room, skip_sid=skip_sid,
                                      **kwargs)
        queued = self.fan_out(encoded, namespace, room,
                              skip_sid if isinstance(skip_sid, list) else [skip_sid],
                              websockets)
        if queued:
            # Let the queues' consumers (long-poll responses, WebSocket writers) run, as
            # python-socketio's per-recipient tasks do: a tight publishing loop must not
            # pile up a long-polling client's whole backlog into one response.
            await asyncio.sleep(0)

    def encode_event(self, namespace: str, data: list[Any]) -> str | list[Any]:
        """The Socket.IO EVENT packet's text, as ``Packet(EVENT, ...).encode()`` gives it."""
        packet_class = self.server.packet_class
        if packet_class is not sio_packet.Packet:   # another wire format: let it encode
            pkt = packet_class(sio_packet.EVENT, namespace=namespace, data=data, binary=False)
            return pkt.encode()  # type: ignore[no-any-return]
        prefix = "2" if namespace == "/" else "2" + namespace + ","
        json = packet_class.json
        if json is codec:      # always compact
            return prefix + codec.dumps(data)
        return prefix + json.dumps(data, separators=(",", ":"))  # type: ignore[no-any-return]

    def fan_out(self, pkt: eio_packet.Packet | str, namespace: str, room: Any,
                skip: list[Any], websockets: Registry) -> bool:
        """Deliver one Engine.IO MESSAGE packet (or the text of one: the packet is then made
        only for a recipient that needs it queued) to a room; synchronous, so concurrent
        emits never interleave. True when at least one recipient got the packet on its
        queue instead."""
        sockets = self.server.eio.sockets
        frame: bytes | None = None
        queued = False
        if isinstance(room, str):   # one room: its members, without the library's copy
            members = self.rooms[namespace].get(room)
            participants = tuple(members.items()) if members is not None else ()
        else:
            participants = tuple(self.get_participants(namespace, room))
        pending = self._pending
        for sid, eio_sid in participants:
            if sid in skip:
                continue
            ws = websockets.get(eio_sid)
            if ws is not None and ws.writable_now():   # its Engine.IO socket is open too
                if frame is None:
                    frame = message_frame(pkt)
                if pending is None:
                    pending = self._pending = {}
                    asyncio.get_running_loop().call_soon(self._flush)
                frames = pending.get(ws)
                if frames is None:        # its first this turn: sent at once
                    pending[ws] = []
                    ws.transport.write(frame)  # type: ignore[union-attr]
                elif len(frames) < MAX_HELD_FRAMES:
                    frames.append(frame)
                else:     # a long burst: hand what is held to the socket now
                    frames.append(frame)
                    ws.transport.write(b"".join(frames))  # type: ignore[union-attr]
                    frames.clear()
                continue
            sock = sockets.get(eio_sid)
            if sock is None or sock.closed:
                continue
            if isinstance(pkt, str):
                pkt = eio_packet.Packet(eio_packet.MESSAGE, pkt)
            sock.queue.put_nowait(pkt)
            queued = True
        return queued

    def _flush(self) -> None:
        """Write what each connection was given after its first frame of this loop turn,
        in one go.

        uvloop sends on every ``transport.write`` at once (a system call each) while the
        socket's buffer is empty, so a burst of events to the same tabs would cost one
        system call per event per tab. A connection's first frame of a turn still leaves at
        once (a lone event is not delayed); the rest of a burst follows joined, at the end
        of the turn. Order is kept: frames are written directly only while the connection
        has nothing queued and no write in flight, and its writer task (woken by anything
        queued later) runs after this callback, which was scheduled first."""
        pending, self._pending = self._pending, None
        for ws, frames in (pending or {}).items():
            if not frames:
                continue
            transport = ws.transport
            if transport is None or transport.is_closing() or ws.closed_for_writes():
                continue
            transport.write(frames[0] if len(frames) == 1 else b"".join(frames))


def create_manager() -> FanoutManager:
    """The client manager for the server."""
    return FanoutManager()


def install(sio: socketio.AsyncServer, compression: bool) -> None:
    """Use :class:`TaskpulseWebSocket` for this server's WebSockets (no global change)."""
    registry = Registry()
    driver = type("TaskpulseWebSocket", (TaskpulseWebSocket,),
                  {"registry": registry, "compress": compression})
    sio.eio._async = {**sio.eio._async, "websocket": driver}
    if isinstance(sio.manager, FanoutManager):
        sio.manager.websockets = registry


def contract() -> list[str]:
    """What this hook needs of the installed libraries that is missing (empty: all there)."""
    problems = []
    eio = engineio.AsyncServer(async_mode="aiohttp")
    table = getattr(eio, "_async", None)
    if not isinstance(table, dict) or table.get("websocket") is not eio_aiohttp.WebSocket:
        problems.append("engineio.AsyncServer._async['websocket'] is no longer the aiohttp "
                        "WebSocket adapter")
    for name in ("__call__", "send", "close", "wait"):
        if not callable(getattr(eio_aiohttp.WebSocket, name, None)):
            problems.append(f"engineio.async_drivers.aiohttp.WebSocket.{name} is gone")
    if "_sock" not in inspect.getsource(eio_aiohttp.WebSocket):
        problems.append("the aiohttp WebSocket adapter no longer keeps its response in _sock")
    queue: asyncio.Queue[Any] = asyncio.Queue()
    if getattr(queue, "_unfinished_tasks", None) != 0:
        problems.append("asyncio.Queue._unfinished_tasks is gone")
    sio = socketio.AsyncServer(async_mode="aiohttp")
    if not isinstance(getattr(sio.manager, "rooms", None), dict):
        problems.append("socketio's manager has no rooms dict")
    if sio_packet.Packet(sio_packet.EVENT, namespace="/x", data=["e", {}]).encode() != \
            '2/x,["e",{}]':
        problems.append("socketio's EVENT packet encoding changed")
    if eio_packet.Packet(eio_packet.MESSAGE, "x").encode() != "4x":
        problems.append("engineio's MESSAGE packet encoding changed")
    kept = inspect.getsource(socket_base.BaseSocket.__init__)
    for name in ("upgraded", "upgrading", "queue", "closed"):
        if f"self.{name} =" not in kept:
            problems.append(f"engineio sockets no longer have {name!r}")
    return problems
