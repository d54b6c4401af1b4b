"""The per-user event log in Redis Streams, shared by every process (``redis_url`` set).

One stream per user (``<prefix>:events:<user id>``); entry ids are the event ids, so they
have the ``"<ms>-<n>"`` shape of :class:`MemoryEventLog` and are ordered across processes.

:meth:`RedisEventLog.append` is one Lua script: ``XADD``, trimming, ``EXPIRE`` and - given a
channel - ``PUBLISH`` of the event with its new id. Appends made in the same turn of the
event loop, or while one is in flight, go together in one script call (``redis_batch``).
What is published depends on what every process on the channel reads
(``message_format``, kept by ``batch_readers``):

* ``SINGLE``: each event is its own python-socketio manager message (``broadcast_frame``),
  which every version reads;
* ``ARRAYS``: the events of a call, one message per channel: a JSON array of those messages;
* ``PACKETS``: one message per channel: :data:`PACKETS_MARK`, then for each event its room
  and its Socket.IO EVENT packet text, each on a line of its own (JSON text never holds a
  raw newline), so a receiving process writes the packet as it is, without decoding and
  encoding the event again.

Redis runs scripts one at a time and delivers pub/sub messages in the order they were
published, so every process receives a user's events in id order, and an event is in the
log before any process can deliver it (see ``web.socket.redis_relay`` for how connections use this).

Trimming keeps what :class:`MemoryEventLog` keeps: the newest ``max_events`` entries, and
any entry younger than ``max_age``. Dropped entries are removed with ``XDEL``, which records
the newest one as the stream's ``max-deleted-entry-id``: the floor below which ``since``
answers ``None`` (too old). A stream with no new event for ``ttl`` seconds expires.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from taskpulse.batched_lookups import BatchedLookups
from taskpulse.delivery.event_log import LoggedEvent, parse_id
from taskpulse.delivery.redis_batch import ScriptBatcher
from taskpulse.delivery.redis_scripts import APPEND, APPEND_MANY, SINCE_MANY

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

# host_id of the messages the script publishes: never a manager's own id, so every
# process - the publishing one too - delivers them from the channel.
LOG_HOST_ID = "taskpulse-event-log"

#: The most streams one opening script call reads (connections opening meanwhile wait).
OPENINGS_PER_CALL = 128
#: An opening script call taking longer fails its connections (closed; they reconnect), so
#: a hung Redis connection cannot hold up the openings queued behind it.
OPENING_TIMEOUT_SECONDS = 5.0


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


# What every process on the channel reads (RedisEventLog.message_format): each event as
# its own manager message; events published together as a JSON array of those; or as
# one message of Socket.IO packets (PACKETS_MARK first, see the module's docstring).
SINGLE, ARRAYS, PACKETS = 0, 1, 2
PACKETS_MARK = "#packets"


class Frame(NamedTuple):
    """Where an event goes: the text before it in the python-socketio pub/sub ``emit``
    message (``head``; ``]}`` follows the event), and, for ``PACKETS``, its room and the
    text of its Socket.IO EVENT packet before the event's JSON (``]`` follows)."""
    head: bytes
    room: bytes
    packet_head: bytes


@lru_cache(maxsize=8192)
def _route(kind: str, name: str, channel: str, frame: Frame | None) -> bytes:
    """The script's route argument (``redis_scripts.route_of``)."""
    if "\n" in name or "\n" in channel:
        raise ValueError("event and channel names hold no newline")
    text = b"" if frame is None else (
        frame.room + b"\n" + frame.packet_head if kind == "2" else frame.head)
    return f"{kind}{name}\n{channel}\n".encode() + text


@lru_cache(maxsize=4096)
def broadcast_frame(room: str, event: str, namespace: str) -> Frame:
    """The frame of ``event`` for ``room`` (built once, then remembered).

    ``room`` comes first in the message so a process can skip it for rooms it has no
    member of without parsing it (see ``web.socket.redis_relay``)."""
    if "\n" in room:
        raise ValueError("a room name holds no newline")
    head = orjson.dumps({"room": room, "method": "emit", "event": event,
                         "namespace": namespace, "skip_sid": None, "callback": None,
                         "binary": False, "host_id": LOG_HOST_ID})
    packet = b"2" if namespace == "/" else b"2" + namespace.encode() + b","
    return Frame(head[:-1] + b',"data":[', room.encode(),
                 packet + b"[" + orjson.dumps(event) + b",")


class RedisEventLog:
    """:class:`~taskpulse.delivery.event_log.EventLog` in Redis Streams.

    It owns ``redis`` (closed by :meth:`close`); other Redis users of the app share it.
    """

    def __init__(self, redis: "Redis", prefix: str, max_events: int = 1000,
                 max_age_seconds: float = 600.0, ttl_seconds: int = 3600) -> None:
        self.redis = redis
        self.prefix = prefix
        self.max_events = max_events
        self.max_age_ms = int(max_age_seconds * 1000)
        self.ttl = max(int(ttl_seconds), int(max_age_seconds) + 1)
        limits = {"MAX_EVENTS": str(int(max_events)), "MAX_AGE_MS": str(self.max_age_ms),
                  "TTL_SECONDS": str(self.ttl), "PACKETS_MARK": f"'{PACKETS_MARK}'"}

        def script(text: str) -> Any:
            for name, value in limits.items():
                text = text.replace(name, value)
            return redis.register_script(text)

        self._append = ScriptBatcher(script(APPEND), script(APPEND_MANY))
        self._since_many = redis.register_script(SINCE_MANY)
        # Openings must read after their connection's buffer opened: never share a read
        # already sent (share_in_flight=False).
        self._openings: BatchedLookups[tuple[str, str], Any] = BatchedLookups(
            self._read_openings, OPENINGS_PER_CALL, share_in_flight=False,
            timeout=OPENING_TIMEOUT_SECONDS)
        # What is published (SINGLE, ARRAYS or PACKETS): only what every process on the
        # channel reads (``batch_readers``, checked on each heartbeat).
        self.message_format = SINGLE

    @property
    def batch_messages(self) -> bool:
        """Are events appended together published as one channel message?"""
        return self.message_format >= ARRAYS

    def key(self, user_id: str) -> str:
        return f"{self.prefix}:events:{user_id}"

    async def append(self, user_id: str, name: str, data: dict[str, Any]) -> LoggedEvent:
        """Store the event (``data`` gains ``id``); nobody is told."""
        return await self.append_and_broadcast(user_id, name, data)

    async def append_and_broadcast(self, user_id: str, name: str, data: dict[str, Any],
                                   channel: str = "",
                                   frame: Frame | None = None) -> LoggedEvent:
        """Store the event and, in the same step, publish it on ``channel`` framed by
        ``frame`` (see ``message_format``); nothing is published without a channel."""
        body = {key: value for key, value in data.items() if key != "id"}
        if not channel or frame is None:
            route = _route("0", name, "", None)
        else:
            route = _route("012"[self.message_format], name, channel, frame)
        raw = await self._append([self.key(user_id)], [route, orjson.dumps(body)])
        event_id = _text(raw)
        stored = {"id": event_id, **body}
        data.clear()
        data.update(stored)
        return LoggedEvent(event_id, name, data)

    @staticmethod
    def _decode(entry: Any) -> LoggedEvent:
        raw_id, fields = entry
        if isinstance(fields, dict):
            values = {_text(k): v for k, v in fields.items()}
        else:
            values = {_text(fields[i]): fields[i + 1] for i in range(0, len(fields), 2)}
        event_id = _text(raw_id)
        return LoggedEvent(event_id, _text(values["e"]),
                           {"id": event_id, **orjson.loads(values["d"])})

    async def since(self, user_id: str, last_id: str) -> list[LoggedEvent] | None:
        key = parse_id(last_id)
        if key is None:
            return None
        answer = await self._openings.get((self.key(user_id), f"{key[0]}-{key[1]}"))
        return self._after(key, answer)

    async def opening(self, user_id: str, last_id: str | None
                      ) -> tuple[str | None, list[LoggedEvent] | None]:
        """The stream's head (and, given ``last_id``, what follows it), read after the
        call; connections opening while a read is in flight go together in the next
        script call (a mass reconnection makes one call per ~hundred, not per tab)."""
        key = parse_id(last_id) if last_id is not None else None
        start = f"{key[0]}-{key[1]}" if key is not None else "+"   # "+": read no entry
        answer = await self._openings.get((self.key(user_id), start))
        newest = _text(answer[0]) if answer else None
        if last_id is None:
            return newest, []
        return newest, (self._after(key, answer) if key is not None else None)

    def _after(self, key: tuple[int, int], answer: Any) -> list[LoggedEvent] | None:
        """The events after ``key`` from the script's answer (None: unknown or too old)."""
        if not answer:
            return None
        head, floor = parse_id(_text(answer[0])), parse_id(_text(answer[1]))
        if head is None or floor is None or key > head or key < floor:
            return None
        events = [self._decode(entry) for entry in answer[2]]
        if key == floor:      # everything after the newest dropped event is still here
            return events
        if not events or parse_id(events[0].id) != key:
            return None       # never was an event of this stream
        return events[1:]

    async def last_id(self, user_id: str) -> str | None:
        newest = await self.redis.xrevrange(self.key(user_id), "+", "-", count=1)
        return _text(newest[0][0]) if newest else None

    async def newest_first(self, user_id: str) -> list[LoggedEvent]:
        """The whole stream, newest first (for rare scans such as run recovery)."""
        entries = await self.redis.xrevrange(self.key(user_id), "+", "-")
        return [self._decode(e) for e in entries or ()]

    async def _read_openings(self, asks: list[tuple[str, str]]) -> list[Any]:
        answers = await self._since_many(keys=[key for key, _ in asks],
                                         args=[start for _, start in asks])
        return list(answers)

    async def close(self) -> None:
        await self._openings.close()
        await self.redis.aclose()
