"""WebSocket frames awaited directly (internals/websocket_reader.py): the same Engine.IO
behaviour as python-engineio's own handler, without a task and a ``wait_for`` per frame.
Each behaviour is checked against the library's handler too (``stock``)."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from taskpulse.app import create_app
from taskpulse.keys import SIO
from tests.conftest import make_config

pytestmark = pytest.mark.hooks

EIO = "/socket.io/?EIO=4"
READERS = pytest.mark.parametrize("lean", [True, False], ids=["hook", "stock"])


def _app(tmp_path: Any, lean: bool, **settings: Any) -> Any:
    return create_app(make_config(sio_lean_reader=lean, var_dir=str(tmp_path), **settings))


def _frame_waits() -> list[asyncio.Task[Any]]:
    """Tasks that exist only to wait for one WebSocket frame (the library's reader)."""
    return [t for t in asyncio.all_tasks()
            if getattr(t.get_coro(), "__qualname__", "").endswith("websocket_wait")]


@READERS
async def test_idle_websockets_wait_for_frames_without_a_task_each(
        aiohttp_client: Any, tmp_path: Any, lean: bool) -> None:
    client = await aiohttp_client(_app(tmp_path, lean))
    sockets = []
    for _ in range(3):
        ws = await client.session.ws_connect(client.make_url(EIO + "&transport=websocket"))
        assert (await ws.receive_str()).startswith("0{")
        sockets.append(ws)
    await asyncio.sleep(0.05)
    assert len(_frame_waits()) == (0 if lean else 3)
    for ws in sockets:     # the connections work: a namespace connect gets its answer
        await ws.send_str("40/chat,")          # no token: refused
        assert (await asyncio.wait_for(ws.receive_str(), 5)).startswith("44/chat,")
        await ws.close()


async def _open_polling(client: Any) -> str:
    resp = await client.get(EIO + "&transport=polling")
    body = await resp.text()
    assert body.startswith("0{"), body
    return str(json.loads(body[1:])["sid"])


@READERS
async def test_an_upgrade_answers_the_probe_and_moves_the_connection_to_websocket(
        aiohttp_client: Any, tmp_path: Any, lean: bool) -> None:
    app = _app(tmp_path, lean, sio_ping_interval=1, sio_ping_timeout=2)
    client = await aiohttp_client(app)
    sid = await _open_polling(client)
    url = client.make_url(f"{EIO}&transport=websocket&sid={sid}")
    async with client.session.ws_connect(url) as ws:
        await ws.send_str("2probe")
        assert await asyncio.wait_for(ws.receive_str(), 5) == "3probe"
        await ws.send_str("5")                                # UPGRADE
        assert await asyncio.wait_for(ws.receive_str(), 5) in ("6", "2")  # NOOP or PING
        sock = app[SIO].eio.sockets[sid]
        assert sock.upgraded and not sock.upgrading


@READERS
async def test_a_failed_upgrade_leaves_the_connection_on_long_polling(
        aiohttp_client: Any, tmp_path: Any, lean: bool) -> None:
    app = _app(tmp_path, lean, sio_ping_interval=1, sio_ping_timeout=2)
    client = await aiohttp_client(app)
    sid = await _open_polling(client)
    url = client.make_url(f"{EIO}&transport=websocket&sid={sid}")
    async with client.session.ws_connect(url) as ws:
        await ws.send_str("2notaprobe")
        msg = await asyncio.wait_for(ws.receive(), 5)
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    sock = app[SIO].eio.sockets[sid]
    assert not sock.upgraded and not sock.upgrading
    resp = await client.get(f"{EIO}&transport=polling&sid={sid}")   # polling goes on
    assert resp.status == 200 and "2" in await resp.text()           # the next PING


@READERS
async def test_a_client_that_leaves_is_disconnected_once(aiohttp_client: Any, tmp_path: Any,
                                                         lean: bool) -> None:
    app = _app(tmp_path, lean)
    client = await aiohttp_client(app)
    gone: list[str] = []
    library_handler = app[SIO].eio.handlers["disconnect"]    # python-socketio's

    async def disconnected(sid: str, reason: Any = None) -> None:
        gone.append(sid)
        await library_handler(sid, reason)

    app[SIO].eio.on("disconnect", disconnected)
    ws = await client.session.ws_connect(client.make_url(EIO + "&transport=websocket"))
    sid = json.loads((await ws.receive_str())[1:])["sid"]
    await ws.close()
    for _ in range(100):
        if gone and sid not in app[SIO].eio.sockets:
            break
        await asyncio.sleep(0.02)
    assert gone == [sid] and sid not in app[SIO].eio.sockets
    assert _frame_waits() == []


@READERS
async def test_a_client_that_answers_pings_stays_and_one_that_falls_silent_is_closed(
        aiohttp_client: Any, tmp_path: Any, lean: bool) -> None:
    """Each frame must come within ping_interval + ping_timeout (here 2 s) of the last."""
    client = await aiohttp_client(_app(tmp_path, lean, sio_ping_interval=1,
                                       sio_ping_timeout=1))
    async with client.session.ws_connect(client.make_url(EIO + "&transport=websocket")) as ws:
        assert (await ws.receive_str()).startswith("0{")
        loop = asyncio.get_running_loop()
        answering_until = loop.time() + 3.5
        while loop.time() < answering_until:       # past the deadline, answering
            assert await asyncio.wait_for(ws.receive_str(), 3) == "2"
            await ws.send_str("3")
        assert not ws.closed
        silent_from = loop.time()
        msg = await asyncio.wait_for(ws.receive(), 10)
        while msg.type == aiohttp.WSMsgType.TEXT:    # PINGs, a CLOSE packet
            msg = await asyncio.wait_for(ws.receive(), 10)
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                            aiohttp.WSMsgType.CLOSING)
        assert loop.time() - silent_from < 6


async def test_a_silent_readers_task_is_cancelled_once_and_the_cancel_taken_back() -> None:
    from taskpulse.internals.websocket_reader import FrameDeadline

    frame: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    outcome: dict[str, Any] = {}

    async def reader() -> None:
        task = asyncio.current_task()
        assert task is not None
        deadline = FrameDeadline(task, 0.05)
        deadline.waiting = True
        try:
            await frame
        except asyncio.CancelledError:
            if deadline.expired:
                task.uncancel()
        outcome["expired"] = deadline.expired
        outcome["cancelling"] = task.cancelling()
        deadline.stop()
        await asyncio.sleep(0)      # a later await is not cancelled again

    await asyncio.wait_for(reader(), 2)
    assert outcome == {"expired": True, "cancelling": 0}


async def test_a_deadline_moves_on_with_each_frame() -> None:
    from taskpulse.internals.websocket_reader import FrameDeadline

    task = asyncio.current_task()
    assert task is not None
    deadline = FrameDeadline(task, 0.1)
    loop = asyncio.get_running_loop()
    until = loop.time() + 0.35
    while loop.time() < until:      # a frame every 30 ms, for over three deadlines
        deadline.waiting = True
        await asyncio.sleep(0.03)
        deadline.waiting = False
        deadline.last = loop.time()
    deadline.stop()
    assert not deadline.expired and task.cancelling() == 0


async def test_a_deadline_a_hair_from_due_is_checked_again_later_not_in_the_same_run() -> None:
    """The heap runs what is due within 1 ms while the loop's clock stands still: a check
    re-armed closer than that would come due again at once, for ever."""
    from taskpulse.internals.websocket_reader import RECHECK_SECONDS, FrameDeadline, _check

    task = asyncio.current_task()
    assert task is not None
    deadline = FrameDeadline(task, 1.0)
    loop = asyncio.get_running_loop()
    deadline.waiting = True
    before = loop.time()
    deadline.last = before - 1.0 + 0.0005      # 0.5 ms left
    _check(deadline)
    assert not deadline.expired
    assert deadline.entry[0] >= before + RECHECK_SECONDS
    deadline.stop()
