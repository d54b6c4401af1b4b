"""The per-user event log in Redis Streams, shared by every process (``redis_url`` set).

One stream per user (``<prefix>:events:<user id>``); entry ids are the event ids, so they
have the ``"<ms>-<n>"`` shape of :class:`MemoryEventLog` and are ordered across processes.

:meth:`RedisEventLog.append` is one Lua script: ``XADD``, trimming, ``EXPIRE`` and - given a
channel - ``PUBLISH`` of the Socket.IO manager message carrying the event with its new id.
Appends made while one is in flight go together in one script call (``redis_batch``),
which publishes one message per channel for all of them: a JSON array of the messages
(once every process on the channel reads those: ``batch_messages``, ``batch_readers``).
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
from typing import TYPE_CHECKING, Any

import orjson

from taskpulse.batched_lookups import BatchedLookups
from taskpulse.delivery.event_log import LoggedEvent, parse_id
from taskpulse.delivery.redis_batch import ScriptBatcher

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)

# host_id of the messages the script publishes: never a manager's own id, so every
# process - the publishing one too - delivers them from the channel.
LOG_HOST_ID = "taskpulse-event-log"

# One event: XADD, trimming, EXPIRE; returns its id. The limits are written into the
# scripts (see __init__): fewer arguments to send with every event.
_APPEND_ONE = """
local function append(key, name, body)
  local id = redis.call('XADD', key, '*', 'e', name, 'd', body)
  local excess = redis.call('XLEN', key) - MAX_EVENTS
  if excess > 0 then
    local ms = tonumber(string.match(id, '^(%d+)-'))
    local cutoff = string.format('(%d-0', math.max(0, ms - MAX_AGE_MS))
    local old = redis.call('XRANGE', key, '-', cutoff, 'COUNT', math.min(excess, 1000))
    if #old > 0 then
      local ids = {}
      for i, entry in ipairs(old) do ids[i] = entry[1] end
      redis.call('XDEL', key, unpack(ids))
    end
  end
  redis.call('EXPIRE', key, TTL_SECONDS)
  return id
end
local function message(id, body, head, tail)
  return head .. '{"id":"' .. id .. '",' .. string.sub(body, 2) .. tail
end
"""

# KEYS: the stream. ARGV: name, body (the event's JSON without its id), channel ('' for
# none), the text before and after the event in the published message.
_APPEND = _APPEND_ONE + """
local id = append(KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then
  redis.call('PUBLISH', ARGV[3], message(id, ARGV[2], ARGV[4], ARGV[5]))
end
return id
"""

# Several events at once (concurrent appends, see redis_batch): KEYS: each event's stream;
# ARGV: '1' or '0' (see RedisEventLog.batch_messages), then five per event, as for _APPEND.
# With '1' each channel gets ONE message for the lot: a JSON array of the events' messages,
# in order; with '0' each event is its own message, as _APPEND sends it. An event that
# fails (say its key holds another type) gets its error back and is not published; the
# others go on.
_APPEND_MANY = _APPEND_ONE + """
local batched = ARGV[1] == '1'
local results, order, out = {}, {}, {}
for i, key in ipairs(KEYS) do
  local a = 1 + (i - 1) * 5
  local ok, id = pcall(append, key, ARGV[a + 1], ARGV[a + 2])
  if ok then
    results[i] = id
    local channel = ARGV[a + 3]
    local text = channel ~= '' and message(id, ARGV[a + 2], ARGV[a + 4], ARGV[a + 5])
    if text and not batched then
      redis.call('PUBLISH', channel, text)
    elseif text then
      if out[channel] == nil then out[channel] = {}; order[#order + 1] = channel end
      local list = out[channel]
      list[#list + 1] = text
    end
  else
    results[i] = {err = type(id) == 'table' and id.err or tostring(id)}
  end
end
for _, channel in ipairs(order) do
  redis.call('PUBLISH', channel, '[' .. table.concat(out[channel], ',') .. ']')
end
return results
"""

# Each stream KEYS[i] from ARGV[i] on (an id, or "+": no entry) with its head and floor:
# one answer per stream, false for a stream that does not exist.
_SINCE_MANY = """
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = false
  if redis.call('EXISTS', key) == 1 then
    local info = redis.call('XINFO', 'STREAM', key)
    local head, floor
    for j = 1, #info, 2 do
      if info[j] == 'last-generated-id' then head = info[j + 1] end
      if info[j] == 'max-deleted-entry-id' then floor = info[j + 1] end
    end
    out[i] = {head, floor, redis.call('XRANGE', key, ARGV[i], '+')}
  end
end
return out
"""

#: The most streams one opening script call reads (connections opening meanwhile wait).
OPENINGS_PER_CALL = 128
#: An opening script call taking longer fails its connections (closed; they reconnect), so
#: a hung Redis connection cannot hold up the openings queued behind it.
OPENING_TIMEOUT_SECONDS = 5.0


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def broadcast_frame(room: str, event: str, namespace: str) -> tuple[str, str]:
    """The text around the event's JSON in the python-socketio pub/sub ``emit`` message.

    ``room`` comes first so a process can skip the message for rooms it has no member of
    without parsing it (see ``web.socket.redis_relay``)."""
    head = orjson.dumps({"room": room, "method": "emit", "event": event,
                         "namespace": namespace, "skip_sid": None, "callback": None,
                         "binary": False, "host_id": LOG_HOST_ID}).decode()
    return head[:-1] + ',"data":[', "]}"


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
                  "TTL_SECONDS": str(self.ttl)}

        def script(text: str) -> Any:
            for name, value in limits.items():
                text = text.replace(name, value)
            return redis.register_script(text)

        self._append = ScriptBatcher(script(_APPEND), script(_APPEND_MANY), head=["0"])
        self._since_many = redis.register_script(_SINCE_MANY)
        # Openings must read after their connection's buffer opened: never share a read
        # already sent (share_in_flight=False).
        self._openings: BatchedLookups[tuple[str, str], Any] = BatchedLookups(
            self._read_openings, OPENINGS_PER_CALL, share_in_flight=False,
            timeout=OPENING_TIMEOUT_SECONDS)

    @property
    def batch_messages(self) -> bool:
        """Publish events appended together as one channel message? Only once every
        process on the channel reads such messages (``all_read_batches``, checked on each
        heartbeat); until then each event is its own message."""
        return self._append.head == ["1"]

    @batch_messages.setter
    def batch_messages(self, on: bool) -> None:
        self._append.head = ["1" if on else "0"]

    def key(self, user_id: str) -> str:
        return f"{self.prefix}:events:{user_id}"

    async def append(self, user_id: str, name: str, data: dict[str, Any]) -> LoggedEvent:
        """Store the event (``data`` gains ``id``); nobody is told."""
        return await self.append_and_broadcast(user_id, name, data)

    async def append_and_broadcast(self, user_id: str, name: str, data: dict[str, Any],
                                   channel: str = "",
                                   frame: tuple[str, str] = ("", "")) -> LoggedEvent:
        """Store the event and, in the same step, publish ``frame[0] + event + frame[1]``
        on ``channel`` (nothing is published when ``channel`` is empty)."""
        body = {key: value for key, value in data.items() if key != "id"}
        raw = await self._append([self.key(user_id)],
                                 [name, orjson.dumps(body), channel, frame[0], frame[1]])
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
        """One script call: the stream's head (and, given ``last_id``, what follows it)."""
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
