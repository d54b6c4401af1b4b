"""Every tab of a user gets every event exactly once, in order; nobody else gets it."""
from __future__ import annotations

import asyncio

from taskpulse.keys import PUBLISHER
from taskpulse.protocol.events import TaskUpdated
from tests.web.socket.conftest import add_task


async def change_some_tasks(client, acct) -> list[str]:
    """Create, update and delete through the REST API: the real event source."""
    first = await add_task(client, acct, "buy milk")
    second = await add_task(client, acct, "call mum")
    base = f"/api/{acct.user_id}/tasks"
    resp = await client.patch(f"{base}/{first['id']}/complete", json={"completed": True},
                              headers=acct.headers)
    assert resp.status == 200, await resp.text()
    resp = await client.delete(f"{base}/{second['id']}", headers=acct.headers)
    assert resp.status in (200, 204), await resp.text()
    return ["task_created", "task_created", "task_updated", "task_deleted"]


async def test_websocket_and_polling_clients_receive_the_same_events(client, signup, open_tab):
    acct = await signup()
    ws = await open_tab(acct)
    poll = await open_tab(acct, transports=["polling"])
    assert poll.welcome()["transport"] == "polling"
    expected = await change_some_tasks(client, acct)
    await ws.wait_stream(len(expected))
    await poll.wait_stream(len(expected))
    assert [n for n, _ in ws.stream()] == expected
    assert ws.stream() == poll.stream()
    assert ws.stream()[2][1]["task"]["completed"] is True


async def test_three_tabs_get_each_event_once_in_order_and_another_user_gets_none(
        client, signup, open_tab):
    alice, bob = await signup(), await signup()
    tabs = [await open_tab(alice) for _ in range(3)]
    bobs_tab = await open_tab(bob)
    expected = await change_some_tasks(client, alice)
    for tab in tabs:
        await tab.wait_stream(len(expected))
    await asyncio.sleep(0.2)   # anything extra (a duplicate, a leak) would arrive by now
    ids = tabs[0].stream_ids()
    assert len(ids) == len(set(ids)) == len(expected)
    assert ids == sorted(ids, key=lambda i: tuple(map(int, i.split("-"))))
    for tab in tabs:
        assert tab.stream() == tabs[0].stream()
    assert bobs_tab.names() == ["connection_established"]


async def test_clients_cannot_join_rooms_or_emit_to_them(client, signup, open_tab):
    alice, mallory = await signup(), await signup()
    tab = await open_tab(mallory)
    for event, payload in (("join", {"room": f"user:{alice.user_id}"}),
                           ("enter_room", f"user:{alice.user_id}"),
                           ("task_created", {"room": f"user:{alice.user_id}"})):
        ack = await tab.call(event, payload)
        assert ack["error"]["code"] == "unknown_event"
    await add_task(client, alice, "private")
    await asyncio.sleep(0.2)
    assert tab.names() == ["connection_established"]


async def test_burst_of_1000_events_reaches_five_tabs_in_order(app, signup, open_tab):
    acct = await signup()
    tabs = [await open_tab(acct) for _ in range(4)]
    tabs.append(await open_tab(acct, transports=["polling"]))
    task = {"id": "t1", "title": "burst", "description": "", "due_date": None,
            "priority": "low", "completed": False, "created_at": "2026-01-01T00:00:00.000Z",
            "updated_at": "2026-01-01T00:00:00.000Z"}
    publisher = app[PUBLISHER]
    events = await asyncio.gather(*(
        publisher.publish(acct.user_id, TaskUpdated(task={**task, "title": f"burst {n}"}))
        for n in range(1000)))
    published = [event.id for event in events]
    for tab in tabs:
        await tab.wait_stream(1000, timeout=60)
    for tab in tabs:
        assert tab.stream_ids() == published
        assert [d["task"]["title"] for _, d in tab.stream()][-1] == "burst 999"
