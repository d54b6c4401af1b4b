"""Catch-up: a client reconnecting with last_event_id gets exactly what it missed, in order,
then live events; with an id the server cannot replay from it gets ``resync``."""
from __future__ import annotations

import asyncio

from taskpulse.keys import PUBLISHER
from taskpulse.protocol.events import TaskUpdated
from tests.web.socket.conftest import add_task


def key(event_id: str) -> tuple[int, int]:
    ms, n = event_id.split("-")
    return int(ms), int(n)


async def test_reconnect_with_last_event_id_replays_exactly_the_missed_events(
        client, signup, open_tab):
    acct = await signup()
    tab = await open_tab(acct)
    await add_task(client, acct, "seen 1")
    await add_task(client, acct, "seen 2")
    await tab.wait_stream(2)
    last_seen = tab.stream_ids()[-1]
    await tab.close()

    missed = [(await add_task(client, acct, f"missed {n}"))["title"] for n in range(3)]
    again = await open_tab(auth={"token": acct.token, "last_event_id": last_seen})
    await again.wait_stream(3)
    await add_task(client, acct, "live")
    await again.wait_stream(4)
    assert again.names() == ["connection_established"] + ["task_created"] * 4
    assert [d["task"]["title"] for _, d in again.stream()] == missed + ["live"]
    ids = again.stream_ids()
    assert key(ids[0]) > key(last_seen) and ids == sorted(ids, key=key)


async def test_last_event_id_equal_to_the_newest_replays_nothing(client, signup, open_tab):
    acct = await signup()
    await add_task(client, acct, "one")
    first = await open_tab(acct)
    newest = first.welcome()["last_event_id"]
    tab = await open_tab(auth={"token": acct.token, "last_event_id": newest})
    await add_task(client, acct, "two")
    await tab.wait_stream(1)
    await asyncio.sleep(0.1)
    assert tab.names() == ["connection_established", "task_created"]


async def test_no_gap_and_no_duplicate_when_events_are_published_during_replay(
        app, client, signup, open_tab):
    acct = await signup()
    publisher = app[PUBLISHER]
    task = (await add_task(client, acct, "counter"))
    origin = (await publisher.log.last_id(acct.user_id))
    published: list[str] = []

    async def keep_publishing(count: int) -> None:
        for n in range(count):
            event = await publisher.publish(acct.user_id,
                                            TaskUpdated(task={**task, "title": f"v{n}"}))
            published.append(event.id)
            await asyncio.sleep(0)

    producer = asyncio.create_task(keep_publishing(600))
    tabs = []
    for _ in range(4):   # reconnect at different points of the stream, polling too
        await asyncio.sleep(0.01)
        last = published[-1] if published else origin
        tabs.append((last, await open_tab(auth={"token": acct.token, "last_event_id": last},
                                          transports=["polling"] if not tabs else None)))
    await producer
    for last, tab in tabs:
        expected = [i for i in published if key(i) > key(last)]
        await tab.wait_stream(len(expected), timeout=30)
        await asyncio.sleep(0.05)
        assert tab.stream_ids() == expected
        assert tab.names()[0] == "connection_established"


async def test_unknown_event_id_gets_resync_then_live_events(client, signup, open_tab):
    acct = await signup()
    await add_task(client, acct, "exists")
    # Unicode digits and ids too long for int() are unknown ids too, not server errors.
    for bad in ("99999999999999-0", "not-an-id", "12", "\u00b2-0", "1" * 5000 + "-0"):
        tab = await open_tab(auth={"token": acct.token, "last_event_id": bad})
        await tab.wait_for(lambda: "resync" in tab.names())
        assert tab.events[1][1]["reason"] == "unknown_event_id"
    await add_task(client, acct, "live")
    await tab.wait_stream(1)
    assert tab.names() == ["connection_established", "resync", "task_created"]


async def test_event_id_from_before_a_server_restart_gets_resync(signup, open_tab):
    acct = await signup()   # a fresh server knows no events for this user
    tab = await open_tab(auth={"token": acct.token, "last_event_id": "1764083562123-0"})
    await tab.wait_for(lambda: "resync" in tab.names())
    assert tab.events[1][1]["reason"] == "unknown_event_id"
