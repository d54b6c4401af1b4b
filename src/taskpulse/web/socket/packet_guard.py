"""Malformed Socket.IO packets: counted per connection, logged once, the connection closed
after :data:`MALFORMED_PACKET_LIMIT` of them.

python-socketio decodes each Engine.IO message in the handler it registers for Engine.IO's
``message`` event. A packet it cannot handle (bad JSON, an unknown packet type, an event
without a name or data) raises there, before any event handler, so neither the namespace's
acks nor its flood limit see it; python-engineio then logged every one at ERROR with a
traceback (~2 KB a packet), whatever ``logger=`` says.

:class:`PacketGuard` puts itself in front of that handler with python-engineio's public
``on()`` (the handler it wraps is the one in the server's ``handlers`` table): the first
malformed packet of a connection is logged at WARNING, without a traceback or the packet;
the connection is closed (``AsyncServer.disconnect``) when it has sent
:data:`MALFORMED_PACKET_LIMIT`. A well-formed event with a bad payload is not malformed: the
namespace answers it with an ``invalid_payload`` ack and the connection lives on. A
WebSocket frame that is no Engine.IO packet never reaches that handler (python-engineio
fails on it first); the ``skip_undecodable_frames`` hook (internals/undecodable_frames.py)
reports it to :meth:`undecodable_frame`.
"""
from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

MALFORMED_PACKET_LIMIT = 5
# What python-socketio raises on a packet it cannot decode or dispatch (JSON errors are
# ValueErrors; an event without a name fails on indexing its data). Anything else is a
# defect on this side and keeps its traceback.
MALFORMED = (ValueError, TypeError, KeyError, IndexError)

Handler = Callable[..., Awaitable[Any]]


# A binary event or ack: its type, then the number of attachments that follow it.
_BINARY = re.compile(r"([56])(?:\d+-)?")


def as_plain(packet: str) -> str:
    """A binary event (ack) as the plain event (ack) it would be without attachments.

    Taskpulse has no binary events. python-socketio would hold such a packet until its
    attachments arrive and take the client's next packets for them (a ``451-`` without
    one swallowed the next event); read as a plain packet it is answered at once, like
    any event (its ``{"_placeholder": true}`` arguments make its payload invalid), and
    attachments sent after it count as malformed packets."""
    found = _BINARY.match(packet)
    if found is None:
        return packet
    return ("2" if found.group(1) == "5" else "3") + packet[found.end():]


class PacketGuard:
    """Wraps an Engine.IO server's ``message`` and ``disconnect`` handlers."""

    def __init__(self, eio: Any, limit: int = MALFORMED_PACKET_LIMIT) -> None:
        self.eio = eio
        self.limit = limit
        self.malformed: dict[str, int] = {}      # Engine.IO sid -> malformed packets so far
        self._dispatch: Handler = eio.handlers["message"]
        self._disconnected: Handler = eio.handlers["disconnect"]
        self._closing: set[asyncio.Task[Any]] = set()

    def install(self) -> "PacketGuard":
        self.eio.on("message", self.message)
        self.eio.on("disconnect", self.disconnect)
        return self

    async def message(self, eio_sid: str, data: Any) -> None:
        sock = self.eio.sockets.get(eio_sid)
        if sock is None or sock.closed:     # closed (here, after too many malformed ones)
            return                          # while the client was still sending
        if isinstance(data, str) and data[:1] in ("5", "6"):
            data = as_plain(data)
        try:
            await self._dispatch(eio_sid, data)
        except MALFORMED as exc:
            self.count(eio_sid, f"{type(exc).__name__}: {str(exc)[:80]!r}")

    async def disconnect(self, eio_sid: str, reason: Any = None) -> None:
        self.malformed.pop(eio_sid, None)
        await self._disconnected(eio_sid, reason)

    def undecodable_frame(self, eio_sid: str) -> None:
        """A WebSocket frame that is no Engine.IO packet (from the ``skip_undecodable_frames``
        hook)."""
        self.count(eio_sid, "a frame that is no Engine.IO packet")

    def count(self, eio_sid: str, what: str) -> None:
        """One more malformed packet from ``eio_sid``; ``what`` says how (never the packet)."""
        seen = self.malformed.get(eio_sid, 0) + 1
        self.malformed[eio_sid] = seen
        if seen == 1:
            log.warning("connection %s sent a malformed packet (%s); it is closed after %d",
                        eio_sid, what, self.limit)
        if seen == self.limit:
            log.info("closing connection %s: %d malformed packets", eio_sid, seen)
            task = asyncio.create_task(self.eio.disconnect(eio_sid))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
