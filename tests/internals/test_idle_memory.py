"""Per-connection memory cuts (internals/idle_memory.py) keep Engine.IO's behaviour."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from taskpulse.app import create_app
from taskpulse.keys import SIO
from taskpulse.protocol.events import NAMESPACE
from taskpulse.internals.idle_memory import EngineIOServer, PacketQueue, _poll
from tests.conftest import make_config

pytestmark = pytest.mark.hooks

WS_PATH = "/socket.io/?EIO=4&transport=websocket"


async def test_packet_queue_is_fifo_across_waits_timeouts_and_join() -> None:
    queue = PacketQueue()
    try:
        await asyncio.wait_for(queue.get(), 0.01)
        raise AssertionError("an empty queue returned a packet")
    except TimeoutError:
        pass
    getter = asyncio.ensure_future(asyncio.wait_for(queue.get(), 1))
    await asyncio.sleep(0)
    for n in range(3):
        queue.put_nowait(n)
    assert await getter == 0
    assert [queue.get_nowait(), queue.get_nowait()] == [1, 2]
    assert queue.empty() and queue.qsize() == 0
    for _ in range(3):
        queue.task_done()
    await asyncio.wait_for(queue.join(), 1)


async def test_an_arrival_is_done_when_something_is_put_and_a_cancelled_one_is_skipped(
        ) -> None:
    queue = PacketQueue()
    left = queue.arrival()
    left.cancel()                  # a writer that went away while waiting
    arrival = queue.arrival()
    getter = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait("a")
    await asyncio.sleep(0)
    assert arrival.done() and not getter.done()   # the waiter first in line is woken
    queue.put_nowait("b")
    assert await asyncio.wait_for(getter, 1) == "a"
    assert queue.get_nowait() == "b"


async def test_connections_are_pinged_on_the_ping_interval(aiohttp_client: Any,
                                                           tmp_path: Any) -> None:
    app = create_app(make_config(sio_ping_interval=1, sio_ping_timeout=1,
                                 var_dir=str(tmp_path)))
    assert isinstance(app[SIO].eio, EngineIOServer)
    client = await aiohttp_client(app)
    async with client.session.ws_connect(client.make_url(WS_PATH)) as ws:
        assert (await ws.receive_str()).startswith("0{")   # Engine.IO OPEN
        loop = asyncio.get_running_loop()
        started = loop.time()
        for _ in range(2):    # a PING, answered; then the next one
            assert await asyncio.wait_for(ws.receive_str(), 3) == "2"
            await ws.send_str("3")
        assert 1.5 < loop.time() - started < 4


async def test_a_connection_that_stops_answering_pings_is_closed(aiohttp_client: Any,
                                                                 tmp_path: Any) -> None:
    app = create_app(make_config(sio_ping_interval=1, sio_ping_timeout=1,
                                 var_dir=str(tmp_path)))
    client = await aiohttp_client(app)
    async with client.session.ws_connect(client.make_url(WS_PATH)) as ws:
        assert (await ws.receive_str()).startswith("0{")
        assert await asyncio.wait_for(ws.receive_str(), 3) == "2"   # not answered
        msg = await asyncio.wait_for(ws.receive(), 10)
        while msg.type == aiohttp.WSMsgType.TEXT:   # a CLOSE packet may come first
            msg = await asyncio.wait_for(ws.receive(), 10)
        assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                            aiohttp.WSMsgType.CLOSING)


async def test_an_open_connection_keeps_no_finished_opening_task(app: Any, signup: Any,
                                                                 open_tab: Any) -> None:
    account = await signup()
    await open_tab(account)
    namespace = app[SIO].namespace_handlers[NAMESPACE]
    for _ in range(50):
        if not namespace._tasks:
            break
        await asyncio.sleep(0.01)
    assert namespace._tasks == {}


class _Server:
    def __init__(self, ping_interval: float, ping_timeout: float) -> None:
        self.ping_interval, self.ping_timeout = ping_interval, ping_timeout


class _Sock:
    """What ``_poll`` reads of a python-engineio socket."""

    def __init__(self, upgraded: bool, ping_interval: float = 25,
                 ping_timeout: float = 20) -> None:
        self.upgraded = upgraded
        self.queue = PacketQueue()
        self.server = _Server(ping_interval, ping_timeout)


async def test_a_websocket_writer_gets_everything_waiting_in_order_and_ends_on_none() -> None:
    sock = _Sock(upgraded=True)
    waiting = asyncio.ensure_future(_poll(sock))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    assert not waiting.done()                   # waits for a packet, however long
    sock.queue.put_nowait("a")
    sock.queue.put_nowait("b")
    assert await waiting == ["a", "b"]          # the first, and all waiting behind it
    for item in ("c", None, "late"):
        sock.queue.put_nowait(item)
    # as python-engineio's poll: None stops the batch and is put back for the next call
    assert await _poll(sock) == ["c"]      # type: ignore[arg-type]
    assert await _poll(sock) == ["late"]   # type: ignore[arg-type]
    assert await _poll(sock) == []         # type: ignore[arg-type]
    await asyncio.wait_for(sock.queue.join(), 1)     # every get was marked done


async def test_a_cancelled_websocket_wait_ends_the_writer_like_the_library() -> None:
    import engineio.exceptions
    sock = _Sock(upgraded=True)
    waiting = asyncio.ensure_future(_poll(sock))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(engineio.exceptions.QueueEmpty):
        await waiting


async def test_websocket_connections_wait_without_a_task_per_wait(
        aiohttp_client: Any, tmp_path: Any) -> None:
    app = create_app(make_config(var_dir=str(tmp_path)))
    client = await aiohttp_client(app)
    sockets = []
    for _ in range(4):
        ws = await client.session.ws_connect(client.make_url(WS_PATH))
        assert (await ws.receive_str()).startswith("0{")
        sockets.append(ws)
    await asyncio.sleep(0.05)
    # the library's poll wraps queue.get() in asyncio.wait_for: one task per connection
    waits = [t for t in asyncio.all_tasks()
             if getattr(t.get_coro(), "__qualname__", "").endswith("Queue.get")]
    writers = [t for t in asyncio.all_tasks()
               if getattr(t.get_coro(), "__qualname__", "").endswith("writer")]
    assert len(writers) == len(sockets) and waits == []
    for ws in sockets:
        await ws.close()


async def test_a_long_poll_answer_holds_at_most_16_packets_the_rest_comes_next() -> None:
    sock = _Sock(upgraded=False)
    for n in range(40):
        sock.queue.put_nowait(n)
    answers = [await _poll(sock) for _ in range(3)]   # type: ignore[arg-type]
    assert answers == [list(range(16)), list(range(16, 32)), list(range(32, 40))]
    websocket = _Sock(upgraded=True)
    for n in range(40):
        websocket.queue.put_nowait(n)
    assert await _poll(websocket) == list(range(40))  # type: ignore[arg-type]


async def test_a_long_poll_gets_what_is_already_waiting_at_once_and_in_order() -> None:
    sock = _Sock(upgraded=False)
    for item in ("a", "b", None, "c"):
        sock.queue.put_nowait(item)
    # as python-engineio's poll: None ends the batch and goes back behind what is left
    assert await _poll(sock) == ["a", "b"]       # type: ignore[arg-type]
    assert await _poll(sock) == ["c"]            # type: ignore[arg-type]
    assert await _poll(sock) == []               # type: ignore[arg-type]
    await asyncio.wait_for(sock.queue.join(), 1)


async def test_a_long_poll_waits_for_the_next_packet() -> None:
    sock = _Sock(upgraded=False)
    waiting = asyncio.ensure_future(_poll(sock))  # type: ignore[arg-type]
    await asyncio.sleep(0.01)
    assert not waiting.done()
    sock.queue.put_nowait("a")
    assert await asyncio.wait_for(waiting, 1) == ["a"]


async def test_a_long_poll_with_nothing_to_send_gives_up_after_ping_interval_and_timeout(
        ) -> None:
    import engineio.exceptions
    sock = _Sock(upgraded=False, ping_interval=0.05, ping_timeout=0.05)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(engineio.exceptions.QueueEmpty):
        await asyncio.wait_for(_poll(sock), 2)   # type: ignore[arg-type]
    assert 0.09 <= loop.time() - started < 1
    sock.queue.put_nowait("late")                # the queue still works afterwards
    assert await _poll(sock) == ["late"]         # type: ignore[arg-type]


async def test_long_polling_requests_wait_without_a_task_per_wait(
        aiohttp_client: Any, tmp_path: Any) -> None:
    app = create_app(make_config(var_dir=str(tmp_path)))
    client = await aiohttp_client(app)
    url = client.make_url("/socket.io/?EIO=4&transport=polling")
    async with client.session.get(url) as resp:
        sid = json.loads((await resp.text())[1:])["sid"]     # "0{...}": Engine.IO OPEN
    pending = asyncio.ensure_future(client.session.get(url.update_query(sid=sid)))
    sock = app[SIO].eio.sockets[sid]
    for _ in range(200):        # until the GET is parked on the connection's queue
        if sock.queue._getters:
            break
        await asyncio.sleep(0.01)
    assert sock.queue._getters and not pending.done()
    # the library's poll wraps queue.get() in asyncio.wait_for: a task per request
    waits = [t for t in asyncio.all_tasks()
             if getattr(t.get_coro(), "__qualname__", "").endswith("Queue.get")]
    assert waits == []
    sock.queue.put_nowait(None)                  # let the GET end
    resp = await asyncio.wait_for(pending, 5)
    resp.release()
