"""The Lua scripts of the Redis event log (``redis_log``): append (and publish), read.

``MAX_EVENTS``, ``MAX_AGE_MS``, ``TTL_SECONDS`` and ``PACKETS_MARK`` are written into the
text by :class:`~taskpulse.delivery.redis_log.RedisEventLog` (fewer arguments per call).
"""
from __future__ import annotations

# One event: XADD, trimming, EXPIRE; returns its id. The limits are written into the
# scripts (see __init__): fewer arguments to send with every event.
APPEND_ONE = r"""
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
-- An event's route: its kind ('0', '1' or '2', see RedisEventLog.message_format), then
-- its name, channel ('' for none) and frame, the last three separated by newlines.
local function route_of(route)
  local e1 = string.find(route, '\n', 2, true)
  local e2 = string.find(route, '\n', e1 + 1, true)
  return string.sub(route, 1, 1), string.sub(route, 2, e1 - 1),
         string.sub(route, e1 + 1, e2 - 1), string.sub(route, e2 + 1)
end
-- kind '2': the frame is the room, a newline and the packet's text before the event;
-- otherwise it is the manager message's text before it
local function render(kind, id, body, frame)
  local event
  if body == '{}' then event = '{"id":"' .. id .. '"}'
  else event = '{"id":"' .. id .. '",' .. string.sub(body, 2) end
  if kind == '2' then return frame .. event .. ']' end
  return frame .. event .. ']}'
end
"""

# KEYS: the stream. ARGV: the event's route (see route_of), its body (its JSON without
# its id).
APPEND = APPEND_ONE + r"""
local kind, name, channel, frame = route_of(ARGV[1])
local id = append(KEYS[1], name, ARGV[2])
if channel ~= '' then
  local text = render(kind, id, ARGV[2], frame)
  if kind == '2' then text = PACKETS_MARK .. '\n' .. text end
  redis.call('PUBLISH', channel, text)
end
return id
"""

# Several events at once (see redis_batch): KEYS: each event's stream; ARGV: two per
# event, as for APPEND. Events of kind '0' are each their own message; consecutive events
# of kind '1' (or '2') for a channel go as ONE message: a JSON array of their messages (or
# the packets message). Order is kept: a channel's pending message is published before any
# later event of another kind. An event that fails (say its key holds another type) gets
# its error back and is not published; the others go on.
APPEND_MANY = APPEND_ONE + r"""
local results, pending, kinds, order = {}, {}, {}, {}
local function flush(channel)
  local list = pending[channel]
  if list == nil or #list == 0 then return end
  if kinds[channel] == '2' then
    redis.call('PUBLISH', channel, PACKETS_MARK .. '\n' .. table.concat(list, '\n'))
  else
    redis.call('PUBLISH', channel, '[' .. table.concat(list, ',') .. ']')
  end
  pending[channel] = {}
end
for i, key in ipairs(KEYS) do
  local kind, name, channel, frame = route_of(ARGV[2 * i - 1])
  local body = ARGV[2 * i]
  local ok, id = pcall(append, key, name, body)
  if not ok then
    results[i] = {err = type(id) == 'table' and id.err or tostring(id)}
  else
    results[i] = id
    if channel ~= '' then
      local text = render(kind, id, body, frame)
      if kinds[channel] ~= kind then flush(channel); kinds[channel] = kind end
      if kind == '0' then
        redis.call('PUBLISH', channel, text)
      else
        if pending[channel] == nil then pending[channel] = {}; order[#order + 1] = channel end
        local list = pending[channel]
        list[#list + 1] = text
      end
    end
  end
end
for _, channel in ipairs(order) do flush(channel) end
return results
"""

# Each stream KEYS[i] from ARGV[i] on (an id, or "+": no entry) with its head and floor:
# one answer per stream, false for a stream that does not exist.
SINCE_MANY = r"""
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
