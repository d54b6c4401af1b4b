"""Events from Redis written to this process's tabs as the packets they arrived as.

With several processes, events reach every process through Redis (``web.socket.redis_relay``).
Once every process on the channel reads them, they come as the text of their Socket.IO
EVENT packets (``delivery.redis_log.PACKETS``), built once where the event was appended.
python-socketio's manager has no public way to send an encoded packet to a room, so
without this hook the relay decodes each event and the manager encodes it again.
:func:`sender` hands the text to the fast fan-out (:meth:`FanoutManager.fan_out`), which
writes the same frame to every idle WebSocket of the room and queues it for the others,
exactly as for an emit.

Hook ``relay_packets`` (setting ``sio_relay_packets``); it needs ``fast_fanout`` (without
that manager :func:`sender` gives ``None`` and the relay emits as before). It relies on
python-socketio's EVENT packet text and python-engineio's MESSAGE packet, which
:func:`contract` checks.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

import socketio
from engineio import packet as eio_packet
from socketio import packet as sio_packet

from taskpulse.internals.fanout import FanoutManager

log = logging.getLogger(__name__)

# (room, the packet's text) -> True when some member got it on its queue (then the caller
# yields to the event loop once, as FanoutManager.emit does)
PacketSender = Callable[[str, str], bool]


def sender(sio: socketio.AsyncServer, namespace: str) -> PacketSender | None:
    """How to send an encoded EVENT packet of ``namespace`` to a room of ``sio``; None when
    the server has no fast fan-out (then the relay emits the decoded event)."""
    manager = sio.manager
    if (not isinstance(manager, FanoutManager) or manager.websockets is None
            or sio.packet_class is not sio_packet.Packet):
        return None
    websockets = manager.websockets
    no_skip: list[str] = []

    def send(room: str, text: str) -> bool:
        if namespace not in manager.rooms:
            return False
        return bool(manager.fan_out(text, namespace, room, no_skip, websockets))

    return send


def contract() -> list[str]:
    """What this hook needs of the installed libraries that is missing (empty: all there)."""
    problems = []
    encoded = sio_packet.Packet(sio_packet.EVENT, namespace="/x",
                                data=["e", {"id": "1-0", "a": 1}]).encode()
    if encoded != '2/x,["e",{"id":"1-0","a":1}]':
        problems.append("socketio's EVENT packet text changed")
    if eio_packet.Packet(eio_packet.MESSAGE, "2/x,[]").encode() != "42/x,[]":
        problems.append("engineio's MESSAGE packet encoding changed")
    if not callable(getattr(FanoutManager, "fan_out", None)):
        problems.append("FanoutManager.fan_out is gone")
    return problems
