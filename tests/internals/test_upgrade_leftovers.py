"""What aiohttp keeps of a WebSocket's upgrade request is released once the WebSocket is
open (internals/upgrade_leftovers.py), and nothing that reads it later notices."""
from __future__ import annotations

import asyncio
from typing import Any

import pytest

from taskpulse.app import create_app
from taskpulse.internals.idle_memory import ENVIRON_KEPT
from taskpulse.internals import upgrade_leftovers
from taskpulse.internals.upgrade_leftovers import HEADERS_KEPT
from taskpulse.keys import SIO
from tests.conftest import make_config

pytestmark = pytest.mark.hooks

WS_PATH = "/socket.io/?EIO=4&transport=websocket"
BROWSER_HEADERS = {"User-Agent": "Mozilla/5.0 " + "x" * 200, "Accept-Language": "en-GB",
                   "Cache-Control": "no-cache", "Pragma": "no-cache"}


def _server_side(app: Any) -> list[Any]:
    """The server's open WebSocket adapters (fast_fanout's registry)."""
    return list(app[SIO].manager.websockets.values())


async def _next_frame(ws: Any, starts: tuple[str, ...]) -> str:
    """The next text frame starting with one of ``starts`` (others are skipped)."""
    async with asyncio.timeout(5):
        while True:
            frame = await ws.receive_str()
            if frame.startswith(starts):
                return str(frame)


async def _signed_up(client: Any) -> str:
    resp = await client.post("/api/auth/signup", json={"email": "up@example.com",
                                                       "password": "correct horse battery"})
    return str((await resp.json())["token"])


@pytest.mark.parametrize("lean", [True, False], ids=["hook", "stock"])
async def test_an_open_websocket_keeps_only_the_request_headers_a_later_connect_reads(
        aiohttp_client: Any, tmp_path: Any, lean: bool) -> None:
    app = create_app(make_config(sio_lean_upgrades=lean, var_dir=str(tmp_path)))
    client = await aiohttp_client(app)
    headers = {**BROWSER_HEADERS, "Cookie": "theme=dark"}
    async with client.session.ws_connect(client.make_url(WS_PATH), headers=headers) as ws:
        assert (await ws.receive_str()).startswith("0{")      # Engine.IO OPEN
        (adapter,) = _server_side(app)
        request = adapter.environ["aiohttp.request"]
        names = {name.upper() for name in request.headers}
        response_headers = len(adapter._sock.headers)
        parser = request.protocol._parser
        writer = adapter._sock._writer
        await ws.send_str("40/chat,")     # the writer still writes (a refusal: no token)
        assert (await _next_frame(ws, ("44/chat,",))).startswith("44/chat,")
    if lean:
        assert names <= HEADERS_KEPT and {"HOST", "COOKIE"} <= names
        assert request.headers["Cookie"] == "theme=dark"
        assert response_headers == 0 and parser is None
        assert writer.get_random_bits is None
        assert writer._background_tasks is upgrade_leftovers._SHARED_SEND_TASKS
    else:
        assert {"USER-AGENT", "ACCEPT-LANGUAGE", "SEC-WEBSOCKET-KEY"} <= names
        assert response_headers > 0 and parser is not None
        assert writer.get_random_bits is not None
        assert writer._background_tasks is not upgrade_leftovers._SHARED_SEND_TASKS


async def test_a_later_connect_on_the_same_connection_still_finds_the_session_cookie(
        aiohttp_client: Any, tmp_path: Any) -> None:
    app = create_app(make_config(var_dir=str(tmp_path)))
    client = await aiohttp_client(app)
    token = await _signed_up(client)
    origin = str(client.make_url("/")).rstrip("/")
    headers = {**BROWSER_HEADERS, "Cookie": f"taskpulse_token={token}", "Origin": origin}
    async with client.session.ws_connect(client.make_url(WS_PATH), headers=headers) as ws:
        assert (await ws.receive_str()).startswith("0{")
        for _ in range(2):     # connect, leave the namespace, connect again (cookie only)
            await ws.send_str("40/chat,")
            assert (await _next_frame(ws, ("40/chat,", "44/chat,"))).startswith(
                '40/chat,{"sid"')
            await _next_frame(ws, ('42/chat,["connection_established"',))
            await ws.send_str("41/chat,")
        (adapter,) = _server_side(app)
        assert "USER-AGENT" not in {n.upper() for n in adapter.environ["aiohttp.request"]
                                    .headers}


async def test_an_upgrade_from_long_polling_trims_its_environ_and_keeps_delivering(
        app: Any, signup: Any, open_tab: Any, client: Any) -> None:
    acct = await signup()
    tab = await open_tab(acct, transports=["polling", "websocket"],
                         headers=BROWSER_HEADERS)
    async with asyncio.timeout(5):     # the client upgrades right after it connects
        while not _server_side(app) or tab.client.eio.current_transport != "websocket":
            await asyncio.sleep(0.01)
    (adapter,) = _server_side(app)
    assert adapter.eio_socket.upgraded
    assert "HTTP_USER_AGENT" not in adapter.environ and set(adapter.environ) <= ENVIRON_KEPT
    resp = await client.post(f"/api/{acct.user_id}/tasks", json={"title": "after"},
                             headers=acct.headers)
    assert resp.status == 201
    await tab.wait_for(lambda: "task_created" in tab.names())
