"""The Redis Streams event log: ids, exact ``since``, trimming like the memory log, expiry,
and the append that publishes in the same step."""
from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from taskpulse.delivery.event_log import parse_id
from taskpulse.delivery.batch_readers import (all_read_batches, forget_reader,
                                              packet_readers_key, reader_format, readers_key)
from taskpulse.delivery.redis_log import (ARRAYS, LOG_HOST_ID, PACKETS, SINGLE, RedisEventLog,
                                          broadcast_frame)

pytestmark = pytest.mark.redis


@pytest.fixture
async def make_log(redis_url: str, redis_prefix: str) -> Any:
    import redis.asyncio as aioredis

    logs: list[RedisEventLog] = []

    def make(**kwargs: Any) -> RedisEventLog:
        log = RedisEventLog(aioredis.from_url(redis_url), redis_prefix, **kwargs)
        logs.append(log)
        return log

    yield make
    for log in logs:
        await log.close()


async def fill(log: RedisEventLog, n: int, user: str = "u1") -> list[str]:
    return [(await log.append(user, "task_created", {"id": "", "ts": "t", "n": i})).id
            for i in range(n)]


async def test_ids_increase_and_events_come_back_in_order(make_log):
    log = make_log()
    ids = await fill(log, 5)
    assert ids == sorted(ids, key=parse_id) and len(set(ids)) == 5
    events = await log.since("u1", ids[1])
    assert [e.id for e in events] == ids[2:]
    assert [e.data["n"] for e in events] == [2, 3, 4]
    assert events[0].data == {"id": ids[2], "ts": "t", "n": 2}
    assert list(events[0].data)[0] == "id"
    assert await log.since("u1", ids[-1]) == []
    assert await log.last_id("u1") == ids[-1]


async def test_ids_unknown_to_the_stream_need_a_resync(make_log):
    log = make_log()
    ids = await fill(log, 3)
    ms, n = parse_id(ids[-1])
    assert await log.since("u1", f"{ms + 5000}-0") is None      # from the future
    assert await log.since("u1", "1-0") is None                 # never existed
    assert await log.since("u1", "garbage") is None
    assert await log.since("nobody", ids[0]) is None            # no stream at all
    assert await log.last_id("nobody") is None


async def test_keeps_max_events_while_young_and_trims_old_ones_beyond_it(make_log):
    log = make_log(max_events=3, max_age_seconds=0.3)
    ids = await fill(log, 6)                   # all young: all kept
    assert len(await log.since("u1", ids[0])) == 5
    await asyncio.sleep(0.4)
    later = await fill(log, 1)                 # old ones beyond the newest 3 go
    assert await log.since("u1", ids[2]) is None        # dropped: too old
    kept = await log.since("u1", ids[3])                # the newest dropped one is the floor
    assert [e.id for e in kept] == ids[4:] + later
    assert [e.id for e in await log.since("u1", ids[4])] == ids[5:] + later


async def test_idle_streams_expire(make_log, redis_client):
    log = make_log(max_age_seconds=1, ttl_seconds=1)
    await fill(log, 1)
    assert 0 < await redis_client.ttl(log.key("u1")) <= 2


async def test_append_and_broadcast_publishes_the_event_with_its_id(
        make_log, redis_client, redis_prefix):
    log = make_log()
    channel = redis_prefix + ":socketio"
    pubsub = redis_client.pubsub()
    await pubsub.subscribe(channel)
    await pubsub.get_message(timeout=1)        # the subscribe confirmation
    data: dict[str, Any] = {"id": "", "ts": "t", "task": {"title": 'quote " and ünïcode'}}
    event = await log.append_and_broadcast("u1", "task_created", data, channel,
                                           broadcast_frame("user:u1", "task_created", "/chat"))
    message = await pubsub.get_message(timeout=2)
    await pubsub.aclose()
    assert message is not None and message["data"].startswith(b'{"room":"user:u1"')
    body = orjson.loads(message["data"])
    assert body == {"room": "user:u1", "method": "emit", "event": "task_created",
                    "namespace": "/chat", "skip_sid": None, "callback": None, "binary": False,
                    "host_id": LOG_HOST_ID, "data": [event.data]}
    assert event.data["id"] == event.id and data is event.data
    assert (await log.since("u1", "0-0"))[0].data == event.data


async def _publish_ten_at_once(log: RedisEventLog, redis_client: Any, channel: str,
                               formats: tuple[int, ...] = ()) -> tuple[list[Any], list[bytes]]:
    """Ten appends made in one turn of the event loop (the n-th under ``formats[n]``, if
    given); the events and the channel's messages."""
    pubsub = redis_client.pubsub()
    await pubsub.subscribe(channel)
    await pubsub.get_message(timeout=1)        # the subscribe confirmation

    async def publish(n: int) -> Any:
        if formats:
            log.message_format = formats[n]
        user = f"u{n % 3}"
        return await log.append_and_broadcast(
            user, "task_created", {"id": "", "ts": "t", "n": n}, channel,
            broadcast_frame(f"user:{user}", "task_created", "/chat"))

    events = await asyncio.gather(*(publish(n) for n in range(10)))
    messages = []
    while (message := await pubsub.get_message(timeout=1)) is not None:
        messages.append(message["data"])
    await pubsub.aclose()
    for user in ("u0", "u1", "u2"):
        logged = await log.since(user, "0-0")
        assert [e.data for e in logged] == [e.data for e in events
                                            if e.data["n"] % 3 == int(user[1])]
    return events, messages


def _packets(message: bytes) -> list[tuple[str, Any]]:
    """(room, [event, data]) of each event of a packets message, checking its text."""
    lines = message.split(b"\n")
    assert lines[0] == b"#packets" and len(lines) % 2 == 1
    out = []
    for room, packet in zip(lines[1::2], lines[2::2]):
        assert packet.startswith(b'2/chat,["task_created",{"id":"')
        out.append((room.decode(), orjson.loads(packet[len(b"2/chat,"):])))
    return out


async def test_appends_made_in_one_turn_go_in_one_call_and_one_message(
        make_log, redis_client, redis_prefix):
    log = make_log()
    log.message_format = ARRAYS
    events, messages = await _publish_ten_at_once(log, redis_client, redis_prefix + ":io")
    assert log._append.batches == 1 and log._append.calls == 10
    assert len(messages) == 1 and messages[0].startswith(b"[")
    published = orjson.loads(messages[0])
    assert [m["data"][0] for m in published] == [e.data for e in events]
    assert [m["room"] for m in published] == [f"user:u{n % 3}" for n in range(10)]


async def test_appends_made_while_one_is_in_flight_go_together_in_the_next_call(
        make_log, redis_prefix):
    log = make_log()
    first = asyncio.ensure_future(log.append("u1", "task_created", {"ts": "t", "n": 0}))
    await asyncio.sleep(0)          # the first call is on its way
    rest = await asyncio.gather(*(log.append(f"u{n % 2}", "task_created", {"ts": "t", "n": n})
                                  for n in range(1, 10)))
    assert (await first).data["n"] == 0 and [e.data["n"] for e in rest] == list(range(1, 10))
    assert log._append.batches == 2 and log._append.calls == 10


async def test_until_every_process_reads_batches_each_event_is_its_own_message(
        make_log, redis_client, redis_prefix):
    log = make_log()
    assert log.message_format == SINGLE and not log.batch_messages   # the safe default
    events, messages = await _publish_ten_at_once(log, redis_client, redis_prefix + ":io")
    assert log._append.batches == 1              # still one script call for the ten
    assert [orjson.loads(m)["data"][0] for m in messages] == [e.data for e in events]


async def test_packets_carry_each_event_as_its_socketio_packet_text(
        make_log, redis_client, redis_prefix):
    log = make_log()
    log.message_format = PACKETS
    events, messages = await _publish_ten_at_once(log, redis_client, redis_prefix + ":io")
    assert len(messages) == 1
    assert _packets(messages[0]) == [(f"user:u{n % 3}", ["task_created", e.data])
                                     for n, e in enumerate(events)]


async def test_a_lone_append_publishes_one_packet(make_log, redis_client, redis_prefix):
    log = make_log()
    log.message_format = PACKETS
    channel = redis_prefix + ":io"
    pubsub = redis_client.pubsub()
    await pubsub.subscribe(channel)
    await pubsub.get_message(timeout=1)
    event = await log.append_and_broadcast(
        "u1", "task_created", {"ts": "t", "task": {"title": 'quote " and ünïcode'}}, channel,
        broadcast_frame("user:u1", "task_created", "/chat"))
    message = await pubsub.get_message(timeout=2)
    await pubsub.aclose()
    assert log._append.batches == 1
    assert _packets(message["data"]) == [("user:u1", ["task_created", event.data])]


async def test_a_format_changing_within_a_call_keeps_the_events_in_order(
        make_log, redis_client, redis_prefix):
    log = make_log()
    formats = (ARRAYS,) * 4 + (PACKETS,) * 4 + (ARRAYS, SINGLE)
    events, messages = await _publish_ten_at_once(log, redis_client, redis_prefix + ":io",
                                                  formats)
    assert log._append.batches == 1 and len(messages) == 4
    first, packets, third, fourth = messages
    seen = [m["data"][0] for m in orjson.loads(first)]
    seen += [data for _, (_, data) in _packets(packets)]
    seen += [m["data"][0] for m in orjson.loads(third)] + [orjson.loads(fourth)["data"][0]]
    assert seen == [e.data for e in events]


async def test_batches_wait_for_every_subscriber_of_the_channel_to_read_them(
        redis_client, redis_prefix):
    channel = redis_prefix + ":io"
    older = redis_client.pubsub()        # a process of a version before batches
    await older.subscribe(channel)
    await older.get_message(timeout=1)
    # a new process not listening yet: the one other subscriber is not a reader
    assert not await all_read_batches(redis_client, redis_prefix, "p-new", channel, 15, False)
    newer = redis_client.pubsub()        # this process's own subscription
    await newer.subscribe(channel)
    await newer.get_message(timeout=1)
    assert not await all_read_batches(redis_client, redis_prefix, "p-new", channel, 15, True)
    await older.aclose()                 # the older process is gone (restarted)
    assert await all_read_batches(redis_client, redis_prefix, "p-new", channel, 15, True)
    await forget_reader(redis_client, redis_prefix, "p-new")
    assert await redis_client.zcard(readers_key(redis_prefix)) == 0
    assert await redis_client.zcard(packet_readers_key(redis_prefix)) == 0
    await newer.aclose()


async def test_packets_wait_for_every_subscriber_of_the_channel_to_read_them(
        redis_client, redis_prefix):
    channel = redis_prefix + ":io"
    mine = redis_client.pubsub()
    await mine.subscribe(channel)
    await mine.get_message(timeout=1)
    assert await reader_format(redis_client, redis_prefix, "p-new", channel, 15, True) == PACKETS
    older = redis_client.pubsub()        # a process that reads arrays, not packets
    await older.subscribe(channel)
    await older.get_message(timeout=1)
    await redis_client.zadd(readers_key(redis_prefix), {"p-older": 2 ** 50})
    assert await reader_format(redis_client, redis_prefix, "p-new", channel, 15, True) == ARRAYS
    await redis_client.zrem(readers_key(redis_prefix), "p-older")
    assert await reader_format(redis_client, redis_prefix, "p-new", channel, 15, True) == SINGLE
    await older.aclose()
    assert await reader_format(redis_client, redis_prefix, "p-new", channel, 15, True) == PACKETS
    await mine.aclose()


async def test_an_append_that_fails_in_a_batch_fails_alone(make_log, redis_client,
                                                           redis_prefix):
    import redis.exceptions

    log = make_log()
    log.message_format = PACKETS
    await redis_client.set(log.key("broken"), "not a stream")
    users = ["ok1", "ok2", "broken", "ok3"]
    results = await asyncio.gather(
        *(log.append(user, "task_created", {"id": "", "ts": "t", "u": user})
          for user in ["first"] + users), return_exceptions=True)
    assert log._append.batches == 1
    assert isinstance(results[3], redis.exceptions.ResponseError)
    assert "WRONGTYPE" in str(results[3])
    for user, result in zip(["first"] + users, results):
        if user != "broken":
            assert [e.id for e in await log.since(user, "0-0")] == [result.id]


async def test_a_caller_that_gives_up_leaves_the_others_appends_alone(make_log):
    log = make_log()
    tasks = [asyncio.ensure_future(log.append(f"u{n}", "task_created", {"ts": "t", "n": n}))
             for n in range(3)]
    await asyncio.sleep(0)          # all three wait for the sender, which has not run yet
    tasks[0].cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(results[0], asyncio.CancelledError)
    assert [r.data["n"] for r in results[1:]] == [1, 2]
    assert log._append.batches == 1 and log._append.calls == 3
    assert [e.data["n"] for e in await log.since("u1", "0-0")] == [1]
