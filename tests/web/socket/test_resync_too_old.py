"""A tiny event log (5 events, 1 second): an id that has been dropped gets resync too_old."""
import asyncio

import pytest

from tests.web.socket.conftest import add_task


@pytest.fixture
def config(config):
    return config.replace(event_log_max_events=5, event_log_max_age_seconds=1)


async def test_id_older_than_the_log_keeps_gets_resync_too_old(client, signup, open_tab):
    acct = await signup()
    tab = await open_tab(acct)
    await add_task(client, acct, "first")
    await add_task(client, acct, "second")
    await tab.wait_stream(2)
    oldest = tab.stream_ids()[0]   # "second", the event after it, is dropped too
    await asyncio.sleep(1.1)
    for n in range(6):
        await add_task(client, acct, f"later {n}")
    late = await open_tab(auth={"token": acct.token, "last_event_id": oldest})
    await late.wait_for(lambda: "resync" in late.names())
    assert late.events[1][1]["reason"] == "too_old"
    assert late.stream() == []


async def test_id_of_the_newest_dropped_event_still_catches_up(client, signup, open_tab):
    acct = await signup()
    tab = await open_tab(acct)
    await add_task(client, acct, "first")
    await tab.wait_stream(1)
    await asyncio.sleep(1.1)
    for n in range(5):
        await add_task(client, acct, f"later {n}")   # "first" is dropped, nothing after it
    late = await open_tab(auth={"token": acct.token, "last_event_id": tab.stream_ids()[0]})
    await late.wait_stream(5)
    assert [d["task"]["title"] for _, d in late.stream()] == [f"later {n}" for n in range(5)]
