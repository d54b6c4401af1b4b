"""One process on Redis: events reach tabs through the channel, in order, and catch-up
is exact while events keep coming (the buffered join of ``redis_relay``)."""
from __future__ import annotations

import asyncio

import pytest

from taskpulse.delivery.batch_readers import readers_key
from taskpulse.delivery.redis_log import ARRAYS, PACKETS
from taskpulse.keys import BATCH_READERS, HOOKS, PUBLISHER, RELAY, SIO
from taskpulse.web.socket.publishing import BroadcastPublisher
from taskpulse.web.socket.redis_relay import RedisRelay
from taskpulse.protocol.events import TaskUpdated
from tests.web.socket.conftest import add_task

SAMPLE_TASK = {"id": "", "title": "", "description": "", "due_date": None, "priority": "medium",
               "completed": False, "created_at": "2026-01-01T00:00:00.000Z",
               "updated_at": "2026-01-01T00:00:00.000Z"}

pytestmark = pytest.mark.redis


@pytest.fixture(params=[True, False], ids=["fast-fanout", "library-fanout"])
def config(config, request):
    """Both local delivery paths: fanout's and python-socketio's own."""
    return config.replace(sio_fast_fanout=request.param)


def key(event_id: str) -> tuple[int, int]:
    ms, n = event_id.split("-")
    return int(ms), int(n)


async def test_the_app_uses_redis_for_events(app):
    assert isinstance(app[PUBLISHER], BroadcastPublisher)
    assert isinstance(app[RELAY], RedisRelay)


async def test_live_events_arrive_through_redis_in_order_on_every_tab(client, signup, open_tab):
    acct = await signup()
    tabs = [await open_tab(acct), await open_tab(acct, transports=["polling"])]
    titles = [(await add_task(client, acct, f"t{n}"))["title"] for n in range(5)]
    for tab in tabs:
        await tab.wait_stream(5)
        assert [d["task"]["title"] for _, d in tab.stream()] == titles
    assert tabs[0].stream_ids() == tabs[1].stream_ids()


async def test_reconnect_replays_exactly_the_missed_events(client, signup, open_tab):
    acct = await signup()
    tab = await open_tab(acct)
    await add_task(client, acct, "seen")
    await tab.wait_stream(1)
    last_seen = tab.stream_ids()[-1]
    await tab.close()
    missed = [(await add_task(client, acct, f"missed {n}"))["title"] for n in range(3)]
    again = await open_tab(auth={"token": acct.token, "last_event_id": last_seen})
    await again.wait_stream(3)
    await add_task(client, acct, "live")
    await again.wait_stream(4)
    assert [d["task"]["title"] for _, d in again.stream()] == missed + ["live"]
    assert again.welcome()["last_event_id"] is not None


async def test_no_gap_and_no_duplicate_when_events_are_published_during_catch_up(
        app, client, signup, open_tab):
    acct = await signup()
    publisher = app[PUBLISHER]
    task = await add_task(client, acct, "counter")
    origin = await publisher.log.last_id(acct.user_id)
    published: list[str] = []

    async def keep_publishing(count: int) -> None:
        for n in range(count):
            event = await publisher.publish(acct.user_id,
                                            TaskUpdated(task={**task, "title": f"v{n}"}))
            published.append(event.id)

    producer = asyncio.create_task(keep_publishing(400))
    tabs = []
    for n in range(5):   # connect at different points of the stream, polling too
        await asyncio.sleep(0.02)
        last = published[-1] if published else origin
        auth = {"token": acct.token, "last_event_id": last}
        if n == 4:       # no catch-up asked: from connection_established's id on
            auth = {"token": acct.token}
        tab = await open_tab(auth=auth, transports=["polling"] if n == 1 else None)
        tabs.append((last, tab))
    await producer
    for n, (last, tab) in enumerate(tabs):
        start = last if n < 4 else tab.welcome()["last_event_id"]
        expected = [i for i in published if key(i) > key(start)]
        await tab.wait_stream(len(expected), timeout=30)
        await asyncio.sleep(0.05)
        got = tab.stream_ids()
        assert len(got) == len(set(got)), f"tab {n}: duplicates"
        assert got == expected, f"tab {n}"


async def test_events_of_users_without_a_connection_here_are_skipped_unparsed(
        app, client, signup, open_tab):
    watched, other = await signup(), await signup()
    tab = await open_tab(watched)
    relay = app[RELAY]
    before = relay.skipped
    for n in range(3):
        await add_task(client, other, f"unseen {n}")
    await add_task(client, watched, "seen")
    await tab.wait_stream(1)
    assert relay.skipped - before == 3
    assert [d["task"]["title"] for _, d in tab.stream()] == ["seen"]


async def test_after_losing_its_subscription_a_process_makes_its_clients_reconnect(
        app, signup, open_tab, redis_client, redis_prefix):
    """Events published while the subscription was down never reach this process; its
    clients are disconnected so that they reconnect and catch up from the log."""
    acct = await signup()
    tab = await open_tab(acct)
    mine = [c for c in await redis_client.client_list()
            if c.get("name") == f"{redis_prefix}-socketio"]
    assert mine
    for connection in mine:
        await redis_client.client_kill_filter(_id=connection["id"])
    await asyncio.wait_for(tab.disconnected.wait(), 10)
    again = await open_tab(acct)            # and the process works again
    assert again.welcome()["user_id"] == acct.user_id


async def test_a_tab_that_leaves_takes_its_catch_up_mark_with_it(app, client, signup,
                                                                 open_tab):
    """A mark is otherwise only dropped by the room's next event, which may never come."""
    acct = await signup()
    await add_task(client, acct, "before")
    relay, manager = app[RELAY], app[SIO].manager
    room = f"user:{acct.user_id}"
    tab = await open_tab(acct)
    assert relay._marks.get(room)
    await tab.close()
    for _ in range(100):
        if not any(room in rooms for rooms in manager.rooms.values()):
            break
        await asyncio.sleep(0.02)
    assert room not in relay._marks


async def test_the_reconnect_task_after_a_renewed_subscription_is_kept_until_done(
        app, signup, open_tab):
    tab = await open_tab(await signup())
    relay = app[RELAY]
    assert relay.subscribed.is_set()
    relay._subscription_confirmed()          # as after a lost and renewed subscription
    (task,) = relay.background
    await task
    await asyncio.wait_for(tab.disconnected.wait(), 10)
    assert not relay.background


async def _an_older_process_on_the_channel(app, redis_client, redis_prefix):
    """A subscriber registered as a reader of arrays, not of packets."""
    older = redis_client.pubsub()
    await older.subscribe(app[RELAY].channel)
    await older.get_message(timeout=1)
    await redis_client.zadd(readers_key(redis_prefix), {"p-older": 2 ** 50})
    return older


@pytest.mark.parametrize("message_format", [ARRAYS, PACKETS], ids=["arrays", "packets"])
async def test_events_appended_together_reach_every_tab_once_and_in_id_order(
        app, signup, open_tab, redis_client, redis_prefix, message_format):
    """Publishes made together go to Redis as one script call and one channel message
    (redis_batch); every tab still gets its user's events once, in id order."""
    publisher = app[PUBLISHER]
    one, two = await signup(), await signup()
    tabs = {one.user_id: [await open_tab(one), await open_tab(one, transports=["polling"])],
            two.user_id: [await open_tab(two)]}
    batcher = publisher.log._append
    if message_format == ARRAYS:
        older = await _an_older_process_on_the_channel(app, redis_client, redis_prefix)
    # The format follows the reader check (every process_heartbeat_seconds).
    async with asyncio.timeout(10):
        while publisher.log.message_format != message_format:
            await app[BATCH_READERS].refresh()
            await asyncio.sleep(0.05)
    before = (batcher.batches, batcher.calls)

    async def producer(user_id: str, name: str) -> list[str]:
        ids = []
        for n in range(20):
            event = await publisher.publish(user_id, TaskUpdated(
                task={**SAMPLE_TASK, "id": f"{name}-{n}", "title": name}))
            ids.append(event.id)
        return ids

    users = [user for user in tabs for _ in range(3)]
    made = await asyncio.gather(*(producer(user, f"p{i}") for i, user in enumerate(users)))
    assert batcher.calls - before[1] == 120
    assert batcher.batches - before[0] < 60          # most went several to a call
    for user, user_tabs in tabs.items():
        expected = sorted((i for ids, u in zip(made, users) if u == user for i in ids), key=key)
        for n, tab in enumerate(user_tabs):
            await tab.wait_stream(len(expected), timeout=20)
            await asyncio.sleep(0.05)
            assert tab.stream_ids() == expected, f"{user} tab {n}"
    if message_format == ARRAYS:
        await older.aclose()


async def test_packets_go_to_the_tabs_as_they_came_with_the_hook(app, signup, open_tab):
    relay = app[RELAY]
    assert (relay.packets is not None) == ({"fast_fanout", "relay_packets"} <= app[HOOKS])
    account = await signup()
    tab = await open_tab(account)
    await app[BATCH_READERS].refresh()
    assert app[PUBLISHER].log.message_format == PACKETS
    event = await app[PUBLISHER].publish(account.user_id,
                                         TaskUpdated(task={**SAMPLE_TASK, "id": "t1"}))
    await tab.wait_stream(1)
    assert tab.stream_ids() == [event.id]


async def test_a_process_publishes_arrays_while_one_that_reads_no_packets_is_on_the_channel(
        app, signup, open_tab, redis_client, redis_prefix):
    readers, log = app[BATCH_READERS], app[PUBLISHER].log
    await open_tab(await signup())
    assert await app[RELAY].wait_subscribed()
    await readers.refresh()
    assert log.message_format == PACKETS
    older = await _an_older_process_on_the_channel(app, redis_client, redis_prefix)
    await readers.refresh()
    assert log.message_format == ARRAYS
    await older.aclose()
    await readers.refresh()
    assert log.message_format == PACKETS


async def test_a_process_stops_batching_while_an_older_one_shares_the_channel(
        app, signup, open_tab, redis_client):
    readers, log = app[BATCH_READERS], app[PUBLISHER].log
    await open_tab(await signup())
    assert await app[RELAY].wait_subscribed()
    await readers.refresh()
    assert log.batch_messages
    older = redis_client.pubsub()          # a process of a version before batches
    await older.subscribe(app[RELAY].channel)
    await older.get_message(timeout=1)
    await readers.refresh()
    assert not log.batch_messages
    await older.aclose()
    await readers.refresh()
    assert log.batch_messages
