"""The event sink behind the services: append to the user's event log, then deliver to
every connection of the user (``user:<id>`` room of ``/chat``).

One process (:class:`Publisher`): the user's lock is held while appending and emitting,
and while a new connection is welcomed and caught up (``stream_opening``), so a
connection never misses or doubles an event.

Several processes (:class:`BroadcastPublisher`): the append and the broadcast on Redis
are one step of the event log; every process, the publishing one included, delivers
what it receives from Redis (``redis_relay``), and a connection that is catching up
buffers instead of locking.
"""
from __future__ import annotations

import logging
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from taskpulse.delivery.event_log import EventLog, LoggedEvent, parse_id
from taskpulse.delivery.redis_log import RedisEventLog, broadcast_frame
from taskpulse.delivery.user_locks import UserLocks
from taskpulse.protocol.envelope import sealed
from taskpulse.protocol.events import NAMESPACE, StreamEvent, user_room

if TYPE_CHECKING:
    import socketio

    from taskpulse.web.socket.redis_relay import RedisRelay

log = logging.getLogger(__name__)

Message = dict[str, Any]


class RoomGate:
    """Puts a connection that has been caught up in its user's room."""

    def __init__(self, sio: "socketio.AsyncServer", sid: str, room: str) -> None:
        self.sio, self.sid, self.room = sio, sid, room

    async def join(self, after: str | None) -> None:
        """Enter the room; ``after`` is the newest id the connection has been given."""
        await self.sio.enter_room(self.sid, self.room, namespace=NAMESPACE)


class Publisher:
    """Ordered, logged delivery of stream events in one process."""

    def __init__(self, sio: "socketio.AsyncServer", event_log: EventLog) -> None:
        self.sio = sio
        self.log = event_log
        self.user_lock = UserLocks()   # publishing, and a connection's catch-up

    async def publish(self, user_id: str, event: StreamEvent) -> LoggedEvent | None:
        payload = sealed(event)
        name = event.name
        try:
            async with self.user_lock(user_id):
                logged = await self.log.append(user_id, name, payload)
                # The manager's public emit (what ``AsyncServer.emit`` calls, less its
                # log line): this runs for every event.
                await self.sio.manager.emit(name, logged.data, NAMESPACE,
                                            room=user_room(user_id))
            return logged
        except Exception:
            log.exception("publishing %s failed", event.name)
            return None

    def forget(self, sid: str) -> None:
        """A connection is gone (nothing is kept for it in one process)."""

    @asynccontextmanager
    async def opening(self, sid: str, user_id: str) -> AsyncIterator[RoomGate]:
        """Held while a new connection is welcomed and caught up; ``join`` ends it."""
        async with self.user_lock(user_id):
            yield RoomGate(self.sio, sid, user_room(user_id))


class BufferedGate(RoomGate):
    """Puts a catching-up connection in its room, after the events buffered meanwhile."""

    def __init__(self, sio: "socketio.AsyncServer", relay: "RedisRelay", sid: str, room: str,
                 queue: deque[Message]) -> None:
        super().__init__(sio, sid, room)
        self.relay, self.queue = relay, queue

    async def join(self, after: str | None) -> None:
        """Send buffered events newer than ``after`` (the reads covered the rest), then
        enter the room in the same step as seeing the buffer empty."""
        floor = parse_id(after) if after else None
        while self.queue:
            message = self.queue.popleft()
            payload = (message.get("data") or [None])[0]
            event_id = payload.get("id") if isinstance(payload, dict) else None
            key = parse_id(event_id) if isinstance(event_id, str) else None
            if key is not None and floor is not None and key <= floor:
                continue
            await self.sio.emit(message["event"], payload, to=self.sid, namespace=NAMESPACE,
                                ignore_queue=True)
        self.relay.join(self.sid, self.room, floor)


class BroadcastPublisher(Publisher):
    """Publishing through the Redis log: one atomic append-and-broadcast per event."""

    log: RedisEventLog

    def __init__(self, sio: "socketio.AsyncServer", event_log: RedisEventLog,
                 relay: "RedisRelay") -> None:
        super().__init__(sio, event_log)
        self.relay = relay

    def forget(self, sid: str) -> None:
        self.relay.forget(sid)

    async def publish(self, user_id: str, event: StreamEvent) -> LoggedEvent | None:
        payload = sealed(event)
        try:
            return await self.log.append_and_broadcast(
                user_id, event.name, payload, self.relay.channel,
                broadcast_frame(user_room(user_id), event.name, NAMESPACE))
        except Exception:
            log.exception("publishing %s failed", event.name)
            return None

    @asynccontextmanager
    async def opening(self, sid: str, user_id: str) -> AsyncIterator[BufferedGate]:
        relay = self.relay
        if not await relay.wait_subscribed():
            raise ConnectionError("not subscribed to the event channel")   # it reconnects
        room = user_room(user_id)
        queue = relay.hold(sid, room)
        try:
            yield BufferedGate(self.sio, relay, sid, room, queue)
        finally:
            relay.release(sid, room)
