"""``transport_upgraded``: a connection that opened on long-polling is told when it is on
WebSocket, after its ``connection_established``; one that never upgrades is never told."""
from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest

from taskpulse.keys import SIO
from taskpulse.protocol.events import NAMESPACE
from taskpulse.web.socket import upgrades
from tests.web.socket.conftest import add_task
from tests.web.socket.node import NodeClient

UPGRADED = "transport_upgraded"


async def until(condition: Callable[[], bool], timeout: float = 5) -> None:
    """Until a condition on the server's side holds (no client event tells when)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


@pytest.mark.node
async def test_the_js_client_is_told_once_its_own_upgrade_to_websocket_is_done(
        client, base_url, signup):
    """The official client with its defaults opens on long-polling, says so in the welcome,
    then upgrades: the notice follows the client's own `upgrade` and precedes later events."""
    acct = await signup()
    js = await NodeClient.start("listen.mjs", json.dumps(
        {"url": base_url, "auth": {"token": acct.token}, "stream": 1}))
    await js.read_until(lambda line: line.get("name") == UPGRADED)
    await add_task(client, acct, "after the upgrade")
    assert await js.finish() == 0, js.lines
    names = [name for name, _ in js.events()]
    assert names == ["connection_established", UPGRADED, "task_created"], js.lines
    assert js.events()[0][1]["transport"] == "polling"
    assert js.events()[1][1] == {"transport": "websocket"}
    seen = [line["type"] if line["type"] != "event" else line["name"] for line in js.lines]
    assert seen.index("upgrade") < seen.index(UPGRADED)   # the client's own upgrade first
    assert next(line for line in js.lines if line["type"] == "upgrade")["transport"] == (
        "websocket")


async def test_a_client_that_stays_on_long_polling_is_never_told(
        app, signup, open_tab, monkeypatch):
    monkeypatch.setattr(upgrades, "WATCH_SECONDS", 1.0)
    notices = app[SIO].namespace_handlers[NAMESPACE].upgrades
    tab = await open_tab(await signup(), transports=["polling"])
    sid = tab.client.get_sid(NAMESPACE)
    await until(lambda: notices.watching(sid))
    await until(lambda: not notices.watching(sid))    # it gave up
    assert "server_time" in await tab.call("ping")
    assert tab.names() == ["connection_established"]
    assert tab.welcome()["transport"] == "polling"


@pytest.mark.parametrize("transports", [["websocket"], ["polling", "websocket"]])
async def test_a_client_already_on_websocket_when_it_connects_is_not_told(
        app, signup, open_tab, transports):
    """python-socketio upgrades before it connects to the namespace: its welcome says
    websocket already, and nothing follows."""
    notices = app[SIO].namespace_handlers[NAMESPACE].upgrades
    tab = await open_tab(await signup(), transports=transports)
    assert tab.welcome()["transport"] == "websocket"
    assert "server_time" in await tab.call("ping")
    assert not notices.watching(tab.client.get_sid(NAMESPACE))
    assert tab.names() == ["connection_established"]
