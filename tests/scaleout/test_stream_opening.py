"""No connection is left open without its stream: when the event log cannot be read while a
connection opens (here every Redis connection of the pool is taken), the connection is closed
at the transport, and the client's own reconnection brings it back whole."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis.exceptions
import socketio

from taskpulse.keys import PUBLISHER, REDIS
from taskpulse.protocol.events import NAMESPACE, TaskUpdated
from tests.web.socket.conftest import add_task

pytestmark = pytest.mark.redis

TASK = {"id": "t", "title": "live", "description": "", "due_date": None, "priority": "low",
        "completed": False, "created_at": "2026-01-01T00:00:00.000Z",
        "updated_at": "2026-01-01T00:00:00.000Z"}


@pytest.fixture
def config(config):
    """Two pool connections (the cancel listener keeps one), and a short wait for one."""
    return config.replace(redis_max_connections=2, redis_pool_timeout_seconds=0.3)


async def test_a_tab_whose_stream_cannot_open_is_closed_and_reconnects_whole(
        app, client, signup, base_url) -> None:
    acct = await signup()
    before = await add_task(client, acct, "before")
    events: list[tuple[str, Any]] = []
    disconnects: list[float] = []
    tab = socketio.AsyncClient(reconnection=True, reconnection_delay=0.2,
                               reconnection_delay_max=0.5, randomization_factor=0)
    tab.on("*", lambda name, data=None: events.append((name, data)), namespace=NAMESPACE)
    tab.on("disconnect", lambda *a: disconnects.append(asyncio.get_running_loop().time()),
           namespace=NAMESPACE)
    # The pool's last free connection is taken (the heartbeat may hold it a moment).
    pool = app[REDIS].connection_pool
    taken = None
    for _ in range(100):
        try:
            taken = await pool.get_connection()
            break
        except redis.exceptions.ConnectionError:
            await asyncio.sleep(0.02)
    assert taken is not None

    async def free_later() -> None:
        await asyncio.sleep(2)
        await pool.release(taken)

    busy = asyncio.create_task(free_later())
    try:
        await tab.connect(base_url, auth={"token": acct.token, "last_event_id": "0-0"},
                          transports=["websocket"], namespaces=[NAMESPACE], wait_timeout=10)
        for _ in range(300):        # closed while the pool is busy, back once it is free
            if disconnects and any(name == "connection_established" for name, _ in events):
                break
            await asyncio.sleep(0.05)
        await busy
        assert disconnects, "the connection stayed open without its stream"
        assert [name for name, _ in events][:1] == ["connection_established"]
        replayed = [d["task"]["title"] for name, d in events if name == "task_created"]
        assert replayed == [before["title"]]            # caught up from its position
        await app[PUBLISHER].publish(acct.user_id, TaskUpdated(task=TASK))
        for _ in range(100):
            if any(name == "task_updated" for name, _ in events):
                break
            await asyncio.sleep(0.05)
        assert any(name == "task_updated" for name, _ in events), "connected but dead"
    finally:
        busy.cancel()
        await tab.disconnect()
