"""What docs/realtime.md promises to clients at the edges: an Engine.IO 3 (Socket.IO v2)
client is refused with 400, the ``/`` namespace is refused, and a message over the size
limit closes a WebSocket connection with 1009."""
from __future__ import annotations

import json

import aiohttp

from taskpulse.keys import CONFIG


async def test_an_engineio_3_client_gets_a_400(client):
    resp = await client.get("/socket.io/?EIO=3&transport=polling")
    assert resp.status == 400


async def test_the_root_namespace_is_refused_with_unable_to_connect(client, signup):
    acct = await signup()
    url = client.make_url("/socket.io/?EIO=4&transport=websocket")
    async with client.session.ws_connect(url) as ws:
        assert (await ws.receive_str()).startswith("0{")
        await ws.send_str("40" + json.dumps({"token": acct.token}))
        assert await ws.receive_str() == '44"Unable to connect"'


async def test_a_websocket_message_over_the_limit_closes_with_1009(client, signup, app):
    acct = await signup()
    url = client.make_url("/socket.io/?EIO=4&transport=websocket")
    async with client.session.ws_connect(url) as ws:
        assert (await ws.receive_str()).startswith("0{")
        await ws.send_str('40/chat,' + json.dumps({"token": acct.token}))
        assert (await ws.receive_str()).startswith("40/chat,")
        await ws.send_str('42/chat,["ping","' + "x" * app[CONFIG].sio_max_message_bytes + '"]')
        while (msg := await ws.receive(timeout=5)).type == aiohttp.WSMsgType.TEXT:
            pass
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert ws.close_code == 1009
