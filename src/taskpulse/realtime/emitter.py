"""Publishing: append to the user's event log, then emit to the user's room.

Publishing never blocks or fails the work that produced it: errors are logged and
swallowed. The agent only ever sees a :class:`RunEmitter` (one method, ``emit``).
"""
from __future__ import annotations

import asyncio
import weakref
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol

from taskpulse.realtime.events import NAMESPACE, user_room
from taskpulse.realtime.eventlog import EventLog, LoggedEvent

if TYPE_CHECKING:
    import socketio

log = logging.getLogger(__name__)


_second: list[Any] = [-1, ""]    # the last whole second and its "YYYY-MM-DDTHH:MM:SS"


def now_iso() -> str:
    """UTC now as ``2024-05-01T12:00:00.123Z``; formats the date once per second (this
    runs for every published event)."""
    ms = time.time_ns() // 1_000_000
    sec, frac = divmod(ms, 1000)
    if sec != _second[0]:
        _second[1] = datetime.fromtimestamp(sec, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        _second[0] = sec
    return f"{_second[1]}.{frac:03d}Z"


class Publisher:
    """Ordered, logged delivery of stream events to every connection of a user."""

    def __init__(self, sio: "socketio.AsyncServer", event_log: EventLog) -> None:
        self.sio = sio
        self.log = event_log
        # A user's lock lives while someone holds or awaits it; idle users cost nothing.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary())

    def user_lock(self, user_id: str) -> asyncio.Lock:
        """Held while publishing and while a connection replays missed events."""
        lock = self._locks.get(user_id)
        if lock is None:
            lock = self._locks[user_id] = asyncio.Lock()
        return lock

    async def publish(self, user_id: str, name: str, data: dict[str, Any]) -> LoggedEvent | None:
        payload = {"id": "", "ts": now_iso(), **data}
        try:
            async with self.user_lock(user_id):
                event = await self.log.append(user_id, name, payload)
                await self.sio.emit(name, event.data, room=user_room(user_id), namespace=NAMESPACE)
            return event
        except Exception:
            log.exception("publishing %s failed", name)
            return None

    @asynccontextmanager
    async def opening(self, sid: str, user_id: str) -> AsyncIterator["RoomGate"]:
        """Held while a new connection is welcomed and caught up; ``join`` ends it.
        In-process, the user's lock keeps publishes out meanwhile (Redis: redis_manager)."""
        async with self.user_lock(user_id):
            yield RoomGate(self.sio, sid, user_room(user_id))


class RoomGate:
    def __init__(self, sio: "socketio.AsyncServer", sid: str, room: str) -> None:
        self.sio, self.sid, self.room = sio, sid, room

    async def join(self, after: str | None) -> None:
        """Enter the room; ``after`` is the newest id the connection has been given."""
        await self.sio.enter_room(self.sid, self.room, namespace=NAMESPACE)


class Emitter(Protocol):
    """What the agent gets: one method."""

    async def emit(self, name: str, **fields: Any) -> None: ...


class EventSink(Protocol):
    async def publish(self, user_id: str, name: str, data: dict[str, Any]) -> Any: ...


class RunEmitter:
    """Adds the run envelope (``run_id``, ``conversation_id``, ``seq``) to each event."""

    def __init__(self, sink: EventSink, user_id: str, run_id: str, conversation_id: str) -> None:
        self._sink = sink
        self.user_id = user_id
        self.run_id = run_id
        self.conversation_id = conversation_id
        self.seq = 0

    async def emit(self, name: str, **fields: Any) -> None:
        self.seq += 1
        data = {"run_id": self.run_id, "conversation_id": self.conversation_id,
                "seq": self.seq, **fields}
        await self._sink.publish(self.user_id, name, data)
