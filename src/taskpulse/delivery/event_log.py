"""The per-user event log that makes catch-up after a reconnect possible.

Every published event is appended here before it is emitted. Ids are ``"<ms>-<n>"``
strings (the same shape as Redis Stream ids), strictly increasing within a user's
stream. ``since`` answers ``None`` when the given id is unknown or older than what the
log keeps; the client must then resync over HTTP.
"""
from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from taskpulse.delivery import json_codec as codec


_ID = re.compile(r"([0-9]{1,20})-([0-9]{1,20})")


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    id: str
    name: str
    data: dict[str, Any]


def parse_id(event_id: str) -> tuple[int, int] | None:
    """``"123-4"`` -> ``(123, 4)``; anything else -> ``None``."""
    match = _ID.fullmatch(event_id)
    if match is None:    # ASCII digits only, and few enough for int() (client input)
        return None
    return int(match[1]), int(match[2])


class EventLog(Protocol):
    async def append(self, user_id: str, name: str, data: dict[str, Any]) -> LoggedEvent:
        """Assign the next id, store the event (``data`` gains ``id``) and return it."""

    async def since(self, user_id: str, last_id: str) -> list[LoggedEvent] | None:
        """Events after ``last_id`` in order, or ``None`` if ``last_id`` is unknown/too old."""

    async def last_id(self, user_id: str) -> str | None: ...

    async def opening(self, user_id: str, last_id: str | None
                      ) -> tuple[str | None, list[LoggedEvent] | None]:
        """For a new connection, in one read: the newest id (None: empty stream) and the
        events after ``last_id`` (``[]`` when ``last_id`` is None; None when it is unknown
        or too old)."""

    async def close(self) -> None: ...


@dataclass
class _Stream:
    """A user's kept events, oldest first, in four parallel deques of atoms: when each
    was appended, its id, its name, its data as JSON text. Floats and text are not
    tracked by Python's cyclic garbage collector, so keeping ~1,000 events per active
    user adds nothing for it to walk (kept as dicts, they made full collections of
    100+ ms with 100 busy users; as tuples, they still triggered young collections).
    The JSON is also about half the memory of the dicts."""
    times: deque[float] = field(default_factory=deque)
    ids: deque[str] = field(default_factory=deque)
    names: deque[str] = field(default_factory=deque)
    texts: deque[str] = field(default_factory=deque)
    last: tuple[int, int] = (0, 0)
    floor: tuple[int, int] = (0, 0)   # newest id that was dropped

    def __len__(self) -> int:
        return len(self.ids)

    def push(self, when: float, event_id: str, name: str, text: str) -> None:
        self.times.append(when)
        self.ids.append(event_id)
        self.names.append(name)
        self.texts.append(text)

    def drop_oldest(self) -> str:
        self.times.popleft()
        self.names.popleft()
        self.texts.popleft()
        return self.ids.popleft()


class MemoryEventLog:
    """In-process log: keeps at least ``max_events`` or ``max_age`` seconds per user."""

    def __init__(self, max_events: int = 1000, max_age_seconds: float = 600.0,
                 ttl_seconds: float = 3600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.max_events = max_events
        self.max_age = max_age_seconds
        self.ttl = max(ttl_seconds, max_age_seconds)
        self._streams: dict[str, _Stream] = {}
        self._next_sweep = clock() + self.ttl / 10

    def _sweep(self, now: float) -> None:
        """Forget the streams of users idle for ``ttl`` (their clients will resync)."""
        self._next_sweep = now + self.ttl / 10
        idle = [user for user, stream in self._streams.items()
                if not stream.times or stream.times[-1] < now - self.ttl]
        for user in idle:
            del self._streams[user]

    def _next_id(self, stream: _Stream) -> tuple[int, int]:
        ms = time.time_ns() // 1_000_000
        last_ms, last_n = stream.last
        return (last_ms, last_n + 1) if ms <= last_ms else (ms, 0)

    def _trim(self, stream: _Stream, now: float) -> None:
        # Keep max_events at least; beyond that, drop what is older than max_age.
        while len(stream) > self.max_events and stream.times[0] < now - self.max_age:
            stream.floor = parse_id(stream.drop_oldest()) or stream.floor

    async def append(self, user_id: str, name: str, data: dict[str, Any]) -> LoggedEvent:
        stream = self._streams.get(user_id)
        if stream is None:
            stream = self._streams[user_id] = _Stream()
        key = self._next_id(stream)
        stream.last = key
        event_id = f"{key[0]}-{key[1]}"
        data["id"] = event_id
        event = LoggedEvent(event_id, name, data)
        now = self._clock()
        stream.push(now, event_id, name, codec.dumps(data))
        if len(stream) > self.max_events:
            self._trim(stream, now)
        if now >= self._next_sweep:
            self._sweep(now)
        return event

    async def since(self, user_id: str, last_id: str) -> list[LoggedEvent] | None:
        key = parse_id(last_id)
        stream = self._streams.get(user_id)
        if key is None or stream is None:
            return None
        if key < stream.floor or key > stream.last:
            return None
        out: list[LoggedEvent] = []
        known = key == stream.floor
        for event_id, name, text in zip(stream.ids, stream.names, stream.texts):
            ek = parse_id(event_id)
            assert ek is not None
            if ek == key:
                known = True
            elif ek > key:
                out.append(LoggedEvent(event_id, name, codec.loads(text)))
        return out if known else None

    async def last_id(self, user_id: str) -> str | None:
        stream = self._streams.get(user_id)
        if stream is None or stream.last == (0, 0):
            return None
        return f"{stream.last[0]}-{stream.last[1]}"

    async def opening(self, user_id: str, last_id: str | None
                      ) -> tuple[str | None, list[LoggedEvent] | None]:
        missed = [] if last_id is None else await self.since(user_id, last_id)
        return await self.last_id(user_id), missed

    async def close(self) -> None:
        self._streams.clear()
