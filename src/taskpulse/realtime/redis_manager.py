"""Exact delivery across processes: every process delivers a user's events from Redis.

With ``redis_url`` set, :class:`BroadcastPublisher` appends an event to the user's Redis
stream and publishes it on the Socket.IO channel in one Lua step (``redis_log``). No process
emits stream events locally, the publishing one included: each delivers what it receives on
the channel, which arrives in id order everywhere.

A new connection catches up exactly (no gap, no duplicate) like this:

1. :meth:`LogRedisManager.hold` starts buffering the user's events this process receives
   for the connection (it is not in the room yet, so nothing is sent to it);
2. the stream reads the log: the newest id, then the events after ``last_event_id``;
3. :meth:`BufferedGate.join` sends the buffered events newer than the last one the reads
   covered (the connection's *mark*), then - with no ``await`` in between - puts the
   connection in the room, where events up to its mark are still skipped for it.

An event published before a read is returned by it (the append and the publish are one
step), and may still be on its way to this process: it is dropped from the buffer or, if
it arrives after the join, skipped by the mark. One published after the reads reaches this
process after step 1 began, so it is buffered or, after the join, delivered live. The
channel must be subscribed before step 2: :meth:`BroadcastPublisher.opening` waits for it.

Events appended together arrive as one message (a JSON array of the events' messages,
in order), decoded once and handled one by one as if they had come alone.

The manager also skips, without parsing them, events for rooms with no member in this
process (the message starts with the room), and when its subscription had to be renewed -
messages may have been lost meanwhile - it closes its connections so that their clients
reconnect and catch up.
"""
from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
import socketio

from taskpulse.config import Config
from taskpulse.realtime.emitter import Publisher, RoomGate, now_iso
from taskpulse.realtime.eventlog import LoggedEvent, parse_id
from taskpulse.realtime.events import NAMESPACE, user_room
from taskpulse.realtime.fanout import FanoutRedisManager
from taskpulse.realtime.reconnect import drop_connections
from taskpulse.realtime.redis_log import RedisEventLog, broadcast_frame

log = logging.getLogger(__name__)

ROOM_PREFIX = b'{"room":"'
SUBSCRIBE_WAIT_SECONDS = 10.0
Message = dict[str, Any]


class LogRedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    """python-socketio's Redis manager, with catch-up buffers and local-interest filtering."""

    def __init__(self, url: str, channel: str, client_name: str = "") -> None:
        options = {"client_name": client_name} if client_name else {}
        super().__init__(url, channel=channel, redis_options=options)
        self._buffers: dict[str, dict[str, deque[Message]]] = {}   # room -> sid -> events
        self._marks: dict[str, dict[str, tuple[int, int]]] = {}    # room -> sid -> newest id
        self.subscribed = asyncio.Event()
        self.background: set[asyncio.Task[Any]] = set()   # referenced until done
        self.skipped = 0        # messages for rooms without local members (measurements)
        self.received = 0

    # ---- catch-up buffers ---------------------------------------------------------------

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

    def mark(self, sid: str, room: str, newest: tuple[int, int]) -> None:
        """``sid`` has been given ``room``'s events up to ``newest``: skip those."""
        marks = self._marks.setdefault(room, {})
        for gone in [s for s in marks if not self.is_connected(s, NAMESPACE)]:
            del marks[gone]
        marks[sid] = newest

    def basic_leave_room(self, sid: str, namespace: str, room: str) -> None:
        """Also forget ``sid``'s mark for the room (a disconnect leaves every room through
        here), so a room that gets no further event keeps nothing for it."""
        super().basic_leave_room(sid, namespace, room)
        marks = self._marks.get(room) if namespace == NAMESPACE else None
        if marks is not None:
            marks.pop(sid, None)
            if not marks:
                del self._marks[room]

    def _skip_marked(self, room: str, message: Message) -> Message:
        marks = self._marks.get(room)
        args = message.get("data") or [None]
        event_id = args[0].get("id") if isinstance(args[0], dict) else None
        key = parse_id(event_id) if marks and isinstance(event_id, str) else None
        if marks is None or key is None:
            return message
        skip = [sid for sid, newest in marks.items() if key <= newest]
        for sid in [sid for sid, newest in marks.items() if key >= newest]:
            del marks[sid]      # later events are all newer than the mark
        if not marks:
            del self._marks[room]
        return {**message, "skip_sid": skip} if skip else message

    def wants(self, room: str) -> bool:
        """Does any connection of this process need ``room``'s events?"""
        return room in self._buffers or any(room in rooms for rooms in self.rooms.values())

    async def _handle_emit(self, message: Message) -> None:
        room = message.get("room")
        held = self._buffers.get(room) if isinstance(room, str) else None
        if held:
            for queue in held.values():
                queue.append(message)
        if isinstance(room, str):
            if not any(room in r for r in self.rooms.values()):
                return      # nobody here (python-socketio would look and find no one)
            message = self._skip_marked(room, message)
        await super()._handle_emit(message)

    # ---- the subscription ---------------------------------------------------------------

    def _redis_connect(self) -> None:
        super()._redis_connect()
        self.pubsub = self.redis.pubsub()   # with subscribe confirmations (see _listen)

    async def _listen(self) -> AsyncIterator[bytes | Message]:  # type: ignore[override]
        channel = self.channel.encode()
        async for message in self._redis_listen_with_retries():
            kind = message.get("type")
            if kind == "subscribe":
                self._subscription_confirmed()
                continue
            if kind != "message" or message.get("channel") != channel:
                continue
            data = message.get("data")
            if not isinstance(data, bytes):
                continue
            if data.startswith(b"["):     # several events, appended together (redis_log)
                for message in self._batch(data):
                    yield message
                continue
            self.received += 1
            if data.startswith(ROOM_PREFIX):
                end = data.find(b'"', len(ROOM_PREFIX))
                if end > 0 and not self.wants(data[len(ROOM_PREFIX):end].decode()):
                    self.skipped += 1
                    continue
            yield data

    def _batch(self, data: bytes) -> list[Message]:
        """The messages of a batch this process has members for, decoded once."""
        try:
            messages = orjson.loads(data)
        except orjson.JSONDecodeError:
            log.warning("ignored a malformed batch on the Socket.IO channel")
            return []
        if not isinstance(messages, list):
            return []
        wanted = []
        for message in messages:
            if not isinstance(message, dict):
                continue
            self.received += 1
            room = message.get("room")
            if isinstance(room, str) and not self.wants(room):
                self.skipped += 1
                continue
            wanted.append(message)
        return wanted

    def _subscription_confirmed(self) -> None:
        if not self.subscribed.is_set():
            self.subscribed.set()
            return
        # Subscribed again after losing the connection: events may have been missed.
        log.warning("Redis subscription renewed; reconnecting this process's clients")
        task = self.server.start_background_task(drop_connections, self.server,
                                                 "Redis subscription renewed")
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


class FastLogRedisManager(LogRedisManager, FanoutRedisManager):  # type: ignore[misc]
    """:class:`LogRedisManager` with the fast local fan-out of ``fanout``."""


def create_manager(config: Config) -> LogRedisManager:
    cls = FastLogRedisManager if config.sio_fast_fanout else LogRedisManager
    return cls(config.redis_url, channel=f"{config.redis_prefix}:socketio",
               client_name=f"{config.redis_prefix}-socketio")


class BufferedGate(RoomGate):
    """Puts a catching-up connection in its room, after its buffered events."""

    def __init__(self, sio: socketio.AsyncServer, sid: str, room: str,
                 queue: deque[Message]) -> None:
        self.sio, self.sid, self.room, self.queue = sio, sid, room, queue

    async def join(self, after: str | None) -> None:
        """Send buffered events newer than ``after`` (the reads covered the rest), then
        enter the room in the same step as seeing the buffer empty."""
        floor = parse_id(after) if after else None
        while self.queue:
            message = self.queue.popleft()
            args = message.get("data") or [None]
            payload = args[0]
            event_id = payload.get("id") if isinstance(payload, dict) else None
            key = parse_id(event_id) if isinstance(event_id, str) else None
            if key is not None and floor is not None and key <= floor:
                continue
            await self.sio.emit(message["event"], payload, to=self.sid, namespace=NAMESPACE,
                                ignore_queue=True)
        manager = self.sio.manager
        if manager.is_connected(self.sid, NAMESPACE):
            manager.basic_enter_room(self.sid, NAMESPACE, self.room)
            if floor is not None:
                manager.mark(self.sid, self.room, floor)


class BroadcastPublisher(Publisher):
    """Publishing through the Redis log: one atomic append-and-broadcast per event."""

    log: RedisEventLog

    def __init__(self, sio: socketio.AsyncServer, event_log: RedisEventLog) -> None:
        super().__init__(sio, event_log)

    async def publish(self, user_id: str, name: str, data: dict[str, Any]
                      ) -> LoggedEvent | None:
        payload = {"id": "", "ts": now_iso(), **data}
        try:
            return await self.log.append_and_broadcast(
                user_id, name, payload, self.sio.manager.channel,
                broadcast_frame(user_room(user_id), name, NAMESPACE))
        except Exception:
            log.exception("publishing %s failed", name)
            return None

    @asynccontextmanager
    async def opening(self, sid: str, user_id: str) -> AsyncIterator[BufferedGate]:
        manager = self.sio.manager
        assert isinstance(manager, LogRedisManager)
        if not await manager.wait_subscribed():
            log.warning("no Redis subscription yet; %s may miss live events", sid)
        room = user_room(user_id)
        queue = manager.hold(sid, room)
        try:
            yield BufferedGate(self.sio, sid, room, queue)
        finally:
            manager.release(sid, room)
