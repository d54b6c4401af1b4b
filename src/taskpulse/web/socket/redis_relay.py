"""Exact delivery across processes: every process delivers a user's events from Redis.

With ``redis_url`` set, :class:`~taskpulse.web.socket.publishing.BroadcastPublisher`
appends an event to the user's Redis stream and publishes it on the channel in one Lua
step (``delivery.redis_log``). No process emits stream events on its own: each delivers
what :class:`RedisRelay` receives on the channel, which arrives in id order everywhere.
Only public APIs are used: redis-py's pub/sub, and python-socketio's in-process manager
(``manager.emit`` and ``basic_enter_room``), so this works on the stock path too.

A new connection catches up exactly (no gap, no duplicate) like this:

1. :meth:`RedisRelay.hold` starts buffering the user's events this process receives for
   the connection (it is not in the room yet, so nothing is sent to it);
2. the stream reads the log: the newest id, then the events after ``last_event_id``;
3. :meth:`~taskpulse.web.socket.publishing.BufferedGate.join` sends the buffered events
   newer than the last one the reads covered (the connection's *mark*), then - with no
   ``await`` in between - puts the connection in the room (:meth:`RedisRelay.join`),
   where events up to its mark are still skipped for it.

An event published before a read is returned by it (the append and the publish are one
step), and may still be on its way to this process: it is dropped from the buffer or, if
it arrives after the join, skipped by the mark. One published after the reads reaches this
process after step 1 began, so it is buffered or, after the join, delivered live. The
channel must be subscribed before step 2: ``opening`` waits for it.

Single messages keep the shape python-socketio's Redis manager publishes
(``broadcast_frame``): a process of an older version, still running during a rolling
upgrade, reads them and is read. Events appended together arrive as one message: a JSON
array of such messages, or - once every process reads those - the rooms and Socket.IO
packets of the events (``redis_log.PACKETS``), which :attr:`RedisRelay.packets` (hook
``relay_packets``) writes to the tabs as they are (decoded without it, or while a tab of
the room catches up). Events for rooms with no member here are skipped unparsed. When
the subscription had to be renewed - messages may have been lost meanwhile - this
process's connections are closed so that their clients reconnect and catch up.
"""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from taskpulse.delivery.event_log import parse_id
from taskpulse.delivery.redis_log import PACKETS_MARK
from taskpulse.protocol.events import NAMESPACE

if TYPE_CHECKING:
    import socketio
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

ROOM_PREFIX = b'{"room":"'
PACKETS_PREFIX = PACKETS_MARK.encode() + b"\n"
SUBSCRIBE_WAIT_SECONDS = 5.0
RETRY_SECONDS = (0.1, 0.25, 0.5, 1.0)   # between attempts to subscribe again
Message = dict[str, Any]
# (room, the EVENT packet's text): sends it to the room; True when it was queued for some
PacketSender = Callable[[str, str], bool]


class EventPacket(NamedTuple):   # one event of a packets message
    room: str
    text: str                     # its Socket.IO EVENT packet


class RedisRelay:
    """Listens on the channel and delivers each event to this process's connections."""

    def __init__(self, redis: "Redis", channel: str, sio: "socketio.AsyncServer",
                 on_renewed: Callable[[], Awaitable[Any]]) -> None:
        self.redis = redis            # its own client (named, so it can be told apart)
        self.channel = channel
        self.sio = sio
        self.on_renewed = on_renewed  # the subscription came back after a loss
        self._buffers: dict[str, dict[str, deque[Message]]] = {}   # room -> sid -> events
        self._marks: dict[str, dict[str, tuple[int, int]]] = {}    # room -> sid -> newest id
        self.subscribed = asyncio.Event()
        self.background: set[asyncio.Task[Any]] = set()   # referenced until done
        self.skipped = 0        # messages for rooms without local members (measurements)
        self.received = 0
        self._task: asyncio.Task[None] | None = None
        self.packets: PacketSender | None = None    # hook relay_packets (serving.scaleout)
        self._packet_start = "2" + ("" if NAMESPACE == "/" else NAMESPACE + ",") + "["

    # ---- catch-up buffers and marks -------------------------------------------------

    def hold(self, sid: str, room: str) -> deque[Message]:
        """Start buffering ``room``'s events for ``sid`` (not yet a member)."""
        queue: deque[Message] = deque()
        self._buffers.setdefault(room, {})[sid] = queue
        return queue

    def release(self, sid: str, room: str) -> None:
        held = self._buffers.get(room)
        if held is not None:
            held.pop(sid, None)
            if not held:
                del self._buffers[room]

    def join(self, sid: str, room: str, newest: tuple[int, int] | None) -> None:
        """Put ``sid`` in ``room``; events up to ``newest`` (given already) are skipped."""
        manager = self.sio.manager
        if not manager.is_connected(sid, NAMESPACE):
            return
        manager.basic_enter_room(sid, NAMESPACE, room)
        if newest is not None:
            marks = self._marks.setdefault(room, {})
            for gone in [s for s in marks if not manager.is_connected(s, NAMESPACE)]:
                del marks[gone]
            marks[sid] = newest

    def forget(self, sid: str) -> None:
        """The connection is gone: drop its marks (a room with no further event would
        keep them otherwise)."""
        for room in [room for room, marks in self._marks.items() if sid in marks]:
            marks = self._marks[room]
            del marks[sid]
            if not marks:
                del self._marks[room]

    def _skip_marked(self, room: str, message: Message) -> list[str] | None:
        marks = self._marks.get(room)
        if not marks:
            return None
        payload = (message.get("data") or [None])[0]
        event_id = payload.get("id") if isinstance(payload, dict) else None
        key = parse_id(event_id) if isinstance(event_id, str) else None
        if key is None:
            return None
        skip = [sid for sid, newest in marks.items() if key <= newest]
        for sid in [sid for sid, newest in marks.items() if key >= newest]:
            del marks[sid]      # later events are all newer than the mark
        if not marks:
            del self._marks[room]
        return skip or None

    def wants(self, room: str) -> bool:
        """Does any connection of this process need ``room``'s events?"""
        return room in self._buffers or bool(
            self.sio.manager.rooms.get(NAMESPACE, {}).get(room))

    # ---- delivery -------------------------------------------------------------------

    async def deliver(self, message: Message) -> None:
        room = message.get("room")
        if (not isinstance(room, str) or message.get("namespace") != NAMESPACE
                or message.get("method") != "emit"):
            return
        held = self._buffers.get(room)
        if held:
            for queue in held.values():
                queue.append(message)
        if not self.sio.manager.rooms.get(NAMESPACE, {}).get(room):
            return
        event, data = message.get("event"), message.get("data")
        if not isinstance(event, str) or not isinstance(data, list) or len(data) != 1:
            return
        await self.sio.manager.emit(event, data[0], NAMESPACE, room=room,
                                    skip_sid=self._skip_marked(room, message))

    async def deliver_packet(self, packet: EventPacket) -> None:
        """Sent as it came (:attr:`packets`), or decoded while a tab of its room catches up."""
        send, room = self.packets, packet.room
        if send is None or room in self._buffers or room in self._marks:
            message = self._message_of(packet)
            if message is not None:
                await self.deliver(message)
        elif self.sio.manager.rooms.get(NAMESPACE, {}).get(room) and send(room, packet.text):
            await asyncio.sleep(0)    # as an emit: let the queues' writers run

    def _message_of(self, packet: EventPacket) -> Message | None:
        """The manager message carrying the packet's event."""
        try:
            decoded = orjson.loads(packet.text[len(self._packet_start) - 1:])
        except orjson.JSONDecodeError:
            log.warning("ignored a malformed packet on the event channel")
            return None
        if not isinstance(decoded, list) or len(decoded) != 2:
            return None
        return {"room": packet.room, "method": "emit", "namespace": NAMESPACE,
                "event": decoded[0], "data": [decoded[1]]}

    def _packets(self, data: bytes) -> list[Message | EventPacket]:
        """The events of a packets message (rooms and packet texts, a line each) that
        this process has members for."""
        lines = data.split(b"\n")
        wanted: list[Message | EventPacket] = []
        rooms, held = self.sio.manager.rooms.get(NAMESPACE, {}), self._buffers
        self.received += len(lines) // 2
        for i in range(1, len(lines) - 1, 2):
            room = lines[i].decode()
            if not rooms.get(room) and room not in held:
                self.skipped += 1
                continue
            text = lines[i + 1].decode()
            if text.startswith(self._packet_start):    # of this namespace
                wanted.append(EventPacket(room, text))
        return wanted

    def decode(self, data: bytes) -> list[Message | EventPacket]:
        """The events in one channel message that this process has members for."""
        if data.startswith(PACKETS_PREFIX):
            return self._packets(data)
        if data.startswith(ROOM_PREFIX):
            self.received += 1
            end = data.find(b'"', len(ROOM_PREFIX))
            if end > 0 and not self.wants(data[len(ROOM_PREFIX):end].decode()):
                self.skipped += 1
                return []
        try:
            decoded = orjson.loads(data)
        except orjson.JSONDecodeError:
            log.warning("ignored a malformed message on the event channel")
            return []
        if isinstance(decoded, dict):
            if not data.startswith(ROOM_PREFIX):
                self.received += 1
            return [decoded]
        if not isinstance(decoded, list):     # several events, appended together
            return []
        wanted: list[Message | EventPacket] = []
        for message in decoded:
            if not isinstance(message, dict):
                continue
            self.received += 1
            room = message.get("room")
            if isinstance(room, str) and not self.wants(room):
                self.skipped += 1
                continue
            wanted.append(message)
        return wanted

    # ---- the subscription -----------------------------------------------------------

    async def _listen_once(self) -> None:
        pubsub = self.redis.pubsub()
        try:
            await pubsub.subscribe(self.channel)
            async for message in pubsub.listen():
                kind = message.get("type")
                if kind == "subscribe":
                    self._subscription_confirmed()
                elif kind == "message" and isinstance(message.get("data"), bytes):
                    for one in self.decode(message["data"]):
                        await (self.deliver_packet(one) if isinstance(one, EventPacket)
                               else self.deliver(one))
        finally:
            await asyncio.shield(pubsub.aclose())

    async def run(self) -> None:
        """Listen until cancelled, subscribing again at once when Redis comes back."""
        failures = 0
        while True:
            try:
                await self._listen_once()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                if failures == 0:
                    log.warning("event channel lost (%s); subscribing again", exc)
                failures += 1
                await asyncio.sleep(delay)

    def _subscription_confirmed(self) -> None:
        if not self.subscribed.is_set():
            self.subscribed.set()
            return
        # Subscribed again after losing the connection: events may have been missed.
        log.warning("Redis subscription renewed; reconnecting this process's clients")
        task = asyncio.ensure_future(self.on_renewed())
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def wait_subscribed(self, timeout: float = SUBSCRIBE_WAIT_SECONDS) -> bool:
        if self.subscribed.is_set():
            return True
        try:
            await asyncio.wait_for(self.subscribed.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        for pending in list(self.background):
            pending.cancel()
        await self.redis.aclose()
