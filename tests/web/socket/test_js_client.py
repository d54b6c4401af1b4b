"""The official socket.io JavaScript client (npm socket.io-client, under Node) works."""
from __future__ import annotations

import json
import time

import pytest

from taskpulse.keys import AGENT, SIO, TOKENS
from tests.web.socket.conftest import add_task
from tests.web.socket.node import ROOT, NodeClient

pytestmark = pytest.mark.node


def options(base_url: str, auth: dict, **extra) -> str:
    return json.dumps({"url": base_url, "auth": auth, **extra})


def stream_events(events: list) -> list:
    """Without the connection notices (connection_established, transport_upgraded)."""
    return [(name, data) for name, data in events if "id" in data]


@pytest.mark.parametrize("transports", [["websocket"], ["polling"], None])
async def test_js_client_connects_with_auth_token_and_receives_events(
        client, base_url, signup, transports):
    acct = await signup()
    js = await NodeClient.start("listen.mjs", options(
        base_url, {"token": acct.token}, stream=2, transports=transports))
    await js.read_until(lambda line: line["type"] == "ack")   # connected, ping answered
    await add_task(client, acct, "from python")
    await add_task(client, acct, "and again")
    assert await js.finish() == 0, js.lines
    events = js.events()
    assert events[0][0] == "connection_established"
    assert events[0][1]["user_id"] == acct.user_id
    assert [(n, d["task"]["title"]) for n, d in stream_events(events)] == [
        ("task_created", "from python"), ("task_created", "and again")]
    ack = next(line for line in js.lines if line["type"] == "ack")
    assert "server_time" in ack["data"]


async def test_js_client_sees_refusal_code_and_message(app, base_url, signup):
    acct = await signup()
    expired = app[TOKENS].issue(acct.user_id, now=time.time() - 3600, ttl=60)
    for token, code in (("garbage", "unauthorized"), (expired, "token_expired")):
        js = await NodeClient.start("listen.mjs", options(base_url, {"token": token}))
        line = await js.read_until(lambda line: line["type"] == "connect_error")
        assert line["data"]["code"] == code
        assert line["message"] == line["data"]["message"]
        assert await js.finish() == 1


async def test_js_client_catches_up_with_last_event_id(client, base_url, signup):
    acct = await signup()
    await add_task(client, acct, "seen")
    first = await NodeClient.start("listen.mjs", options(base_url, {"token": acct.token}))
    welcome = await first.read_until(lambda line: line.get("name") == "connection_established")
    first.proc.kill()   # the device goes away abruptly
    await first.proc.wait()
    await add_task(client, acct, "missed")
    js = await NodeClient.start("listen.mjs", options(
        base_url, {"token": acct.token, "last_event_id": welcome["data"]["last_event_id"]},
        stream=1))
    assert await js.finish() == 0, js.lines
    assert [(n, d["task"]["title"]) for n, d in stream_events(js.events())] == [
        ("task_created", "missed")]


async def test_the_documented_snippet_works_and_catches_up_after_a_dropped_connection(
        app, client, base_url, signup):
    """docs/realtime.md's example, run as written: live events, the chat ack, and catch-up
    through the client's own automatic reconnect."""
    acct = await signup()
    js = await NodeClient.start("run_snippet.mjs", str(ROOT / "docs" / "realtime.md"),
                                base_url, acct.token)
    try:
        def logged(first: str):
            return lambda line: line["type"] == "log" and str(line["args"][0]).startswith(first)

        await js.read_until(logged(f"live as {acct.user_id}"))
        await js.read_until(logged("not sent: agent_unavailable")
                            if AGENT not in app else logged("run "))
        await add_task(client, acct, "live one")
        await js.read_until(lambda line: line["args"][:1] == ["task_created"])

        sio = app[SIO]   # drop the connection under the client: it reconnects by itself
        for _, eio_sid in list(sio.manager.get_participants("/chat", f"user:{acct.user_id}")):
            await sio.eio.disconnect(eio_sid)
        await add_task(client, acct, "missed while away")
        await js.read_until(logged(f"live as {acct.user_id}"))   # the reconnect...
        await js.read_until(lambda line: line["args"][:1] == ["task_created"]  # ...replays
                            and line["args"][1]["task"]["title"] == "missed while away")
        await add_task(client, acct, "after reconnect")
        await js.read_until(lambda line: line["args"][:1] == ["task_created"]
                            and line["args"][1]["task"]["title"] == "after reconnect")
    finally:
        js.proc.kill()
        await js.proc.wait()
    ours = ("live one", "missed while away", "after reconnect")   # the agent may add one
    titles = [line["args"][1]["task"]["title"] for line in js.lines
              if line["type"] == "log" and line["args"][:1] == ["task_created"]]
    assert [t for t in titles if t in ours] == list(ours)
