"""A WebSocket whose client went away is freed by reference counting, not left for a full
garbage collection (internals/closed_websockets.py, and the Engine.IO socket's class in
internals/idle_memory.py)."""
from __future__ import annotations

import asyncio
import gc
import json
import weakref
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web

from taskpulse.app import create_app
from taskpulse.internals.closed_websockets import drop_tracebacks
from taskpulse.internals.idle_memory import LeanSocket
from taskpulse.keys import SIO
from tests.conftest import make_config

pytestmark = pytest.mark.hooks

WS_PATH = "/socket.io/?EIO=4&transport=websocket"


def test_the_tracebacks_of_an_error_and_of_those_it_came_from_are_dropped() -> None:
    def raised(make: Callable[[], BaseException]) -> BaseException:
        try:
            raise make()
        except BaseException as exc:   # noqa: BLE001 - the error itself is the result
            return exc

    first = raised(lambda: EOFError("end of stream"))
    cause = raised(lambda: KeyError("cause"))
    try:
        try:
            raise first
        except EOFError:
            raise ConnectionResetError("closing") from cause
    except ConnectionResetError as exc:
        last = exc
    assert last.__context__ is first and last.__cause__ is cause
    assert drop_tracebacks(last) == 3
    assert all(e.__traceback__ is None for e in (last, first, cause))
    assert str(last) == "closing"                   # the errors themselves stay
    assert drop_tracebacks(last) == 0 and drop_tracebacks(None) == 0


def _websocket_responses() -> list[web.WebSocketResponse]:
    return [o for o in gc.get_objects() if type(o) is web.WebSocketResponse]


async def _until(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not check():
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


@pytest.mark.parametrize("hooks", [True, False], ids=["hooks", "stock"])
async def test_a_websocket_whose_client_vanished_is_freed_without_a_garbage_collection(
        aiohttp_client: Any, tmp_path: Any, hooks: bool) -> None:
    app = create_app(make_config(sio_fast_fanout=hooks, sio_lean_connections=hooks,
                                 var_dir=str(tmp_path)))
    client = await aiohttp_client(app)
    resp = await client.post("/api/auth/signup", json={"email": "gone@example.com",
                                                       "password": "correct horse battery"})
    token = (await resp.json())["token"]
    earlier = weakref.WeakSet(_websocket_responses())    # of tests before, if any
    ws = await client.session.ws_connect(client.make_url(WS_PATH))
    assert (await ws.receive_str()).startswith("0{")
    await ws.send_str("40/chat," + json.dumps({"token": token}))
    async with asyncio.timeout(5):
        while not (await ws.receive_str()).startswith('42/chat,["connection_established"'):
            pass
    sockets = app[SIO].eio.sockets
    (sid,) = sockets
    socket = sockets[sid]
    (server_side,) = [weakref.ref(o) for o in _websocket_responses() if o not in earlier]
    gc.collect()
    gc.disable()
    try:
        await client.session.connector.close()       # the client is gone, no goodbye
        assert await _until(lambda: sid not in sockets)
        if hooks:
            assert await _until(lambda: server_side() is None)
            # the Engine.IO socket refers to nothing that refers back to it (python-engineio
            # holds it a while longer: its next ping, its service task's last look)
            assert type(socket) is LeanSocket and not any(
                getattr(value, "__self__", None) is socket for value in vars(socket).values())
        else:       # aiohttp's own: a cycle until collected
            assert not await _until(lambda: server_side() is None, seconds=0.5)
            gc.collect()
            assert server_side() is None
    finally:
        gc.enable()
