"""Make this process's clients reconnect: close their transports without a goodbye.

A Socket.IO ``disconnect`` packet tells clients the server wants them gone, and the
official clients then stay disconnected. Closing the transport instead - the WebSocket
with a close frame, the long-poll with an empty answer and then an unknown session - is a
lost connection, which every client repairs by reconnecting with ``last_event_id``: to
this process, or behind a balancer to another one.

Hook ``quick_drop`` (setting ``sio_quick_drop``): python-engineio has no public way to end
a socket's WebSocket writer; its own reader ends it by putting ``None`` on the socket's
queue, and so does :func:`drop_connections`. Without the hook the socket is closed with
the library's public ``close(abort=True)``; a WebSocket then stays open until its writer
times out (``ping_interval + ping_timeout``), so clients move later.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
from typing import TYPE_CHECKING

from engineio import async_socket
from engineio import packet as eio_packet

if TYPE_CHECKING:
    import socketio

log = logging.getLogger(__name__)


async def until_collected(sio: "socketio.AsyncServer", timeout: float) -> bool:
    """Wait up to ``timeout`` seconds until no open connection has packets waiting on its
    queue (a long-polling client collects them with its next request); True if none has."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while any(not s.closed and s.queue.qsize() for s in list(sio.eio.sockets.values())):
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def drop_connections(sio: "socketio.AsyncServer", why: str, quick: bool = True) -> int:
    """Close every Engine.IO connection of this process; returns how many."""
    sockets = [s for s in list(sio.eio.sockets.values()) if not s.closed and not s.closing]
    for sock in sockets:
        try:
            await sock.close(wait=False, abort=True)      # server-side disconnect handlers
            sock.queue.put_nowait(eio_packet.Packet(eio_packet.NOOP))  # answers a long-poll
            if quick:
                sock.queue.put_nowait(None)               # ends the writer: socket closed
        except Exception:   # one broken socket must not keep the others open
            log.exception("closing connection %s failed", getattr(sock, "sid", "?"))
    if sockets:
        log.info("closed %d connection(s) so they reconnect (%s)", len(sockets), why)
        await asyncio.sleep(0)
    return len(sockets)


async def drop_connection(sio: "socketio.AsyncServer", sid: str, why: str,
                          quick: bool = True) -> bool:
    """Close the Engine.IO connection of the ``/chat`` connection ``sid`` the same way."""
    eio_sid = sio.manager.eio_sid_from_sid(sid, "/chat")
    sock = sio.eio.sockets.get(eio_sid) if eio_sid else None
    if sock is None or sock.closed or sock.closing:
        return False
    try:
        await sock.close(wait=False, abort=True)
        sock.queue.put_nowait(eio_packet.Packet(eio_packet.NOOP))
        if quick:
            sock.queue.put_nowait(None)
    except Exception:
        log.exception("closing connection %s failed", sid)
        return False
    log.info("closed connection %s so it reconnects (%s)", sid, why)
    return True


def contract() -> list[str]:
    """What this hook needs of the installed library that is missing (empty: all there)."""
    problems = []
    handler = inspect.getsource(async_socket.AsyncSocket._websocket_handler)
    if "await self.queue.put(None)" not in handler or "if not packets:" not in handler:
        problems.append("AsyncSocket's WebSocket writer no longer ends on None from its "
                        "queue")
    if "abort" not in inspect.signature(async_socket.AsyncSocket.close).parameters:
        problems.append("AsyncSocket.close no longer takes abort")
    return problems
