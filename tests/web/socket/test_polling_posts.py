"""Long-polling POSTs always get an answer: over the size limit a JSON 413 at once, and a
POST that ends its session a 400 even when no long-poll is there to collect the close."""
from __future__ import annotations

import json
import time

import aiohttp

from taskpulse.keys import CONFIG
from taskpulse.web.socket.polling_posts import POST_SECONDS


async def _session(base_url: str, session: aiohttp.ClientSession, token: str) -> str:
    url = base_url + "/socket.io/?EIO=4&transport=polling"
    async with session.get(url) as opened:
        sid = json.loads((await opened.text())[1:])["sid"]
    url += f"&sid={sid}"
    async with session.post(url, data='40/chat,' + json.dumps({"token": token})) as resp:
        assert resp.status == 200
    async with session.get(url) as welcome:
        assert "connection_established" in await welcome.text()
    return url


async def test_a_polling_post_over_the_limit_is_a_json_413_at_once_and_ends_the_session(
        base_url, signup, app):
    acct = await signup()
    limit = app[CONFIG].sio_max_message_bytes
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        url = await _session(base_url, session, acct.token)
        started = time.monotonic()
        body = b'42/chat,["ping","' + b"x" * limit + b'"]'
        async with session.post(url, data=body) as resp:
            assert resp.status == 413
            assert (await resp.json())["error"]["code"] == "payload_too_large"
        assert time.monotonic() - started < 2
        async with session.get(url) as after:     # the close, then the session is gone
            assert after.status in (200, 400)
            if after.status == 200:
                assert "1" in (await after.text()).split("\x1e")


async def test_a_post_that_ends_its_session_is_answered_without_a_long_poll(base_url, signup):
    """An Engine.IO ``open`` packet from a client ends the session; python-engineio answers
    only once a long-poll has taken the close packet, and none is in flight here."""
    acct = await signup()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        url = await _session(base_url, session, acct.token)
        started = time.monotonic()
        async with session.post(url, data=b"0{}") as resp:
            assert resp.status == 400
        assert time.monotonic() - started < POST_SECONDS + 2
