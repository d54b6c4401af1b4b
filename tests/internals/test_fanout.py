"""The room fan-out fast path and the WebSocket transport (src/taskpulse/internals/fanout.py)."""
from __future__ import annotations

import pytest

import asyncio
import struct
import uuid
from typing import Any

import aiohttp
import socketio

from taskpulse.app import create_app
from taskpulse.keys import BATCH_READERS, PUBLISHER, RELAY, SIO
from taskpulse.internals.fanout import FanoutManager, create_manager, text_frame
from taskpulse.protocol.events import NAMESPACE, TaskUpdated
from tests.conftest import make_config
from tests.web.socket.conftest import Tab
from tests.services import redis_url_or_skip

pytestmark = pytest.mark.hooks

WS_PATH = "/socket.io/?EIO=4&transport=websocket"


async def _negotiated_compression(base_url: str) -> int:
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(base_url + WS_PATH, compress=15) as ws:
            assert (await ws.receive_str()).startswith("0{")   # Engine.IO OPEN
            return int(ws.compress)


async def test_websocket_refuses_per_message_deflate_by_default(base_url: str) -> None:
    assert await _negotiated_compression(base_url) == 0


async def test_per_message_deflate_is_accepted_when_configured(aiohttp_client: Any,
                                                               tmp_path: Any) -> None:
    app = create_app(make_config(sio_compression=True, var_dir=str(tmp_path)))
    client = await aiohttp_client(app)
    assert await _negotiated_compression(str(client.make_url("")).rstrip("/")) == 15


TASK = {"id": "00000000-0000-4000-8000-000000000001", "title": "t", "description": "",
        "due_date": None, "priority": "medium", "completed": False,
        "created_at": "2026-01-01T00:00:00.000Z", "updated_at": "2026-01-01T00:00:00.000Z"}


async def _publish(app: Any, user_id: str, count: int) -> list[str]:
    ids = []
    for n in range(count):
        event = await app[PUBLISHER].publish(user_id,
                                             TaskUpdated(task={**TASK, "title": f"v{n}"}))
        ids.append(event.id)
    return ids


async def test_room_emit_reaches_websocket_and_polling_tabs_in_order(app: Any, signup: Any,
                                                                     open_tab: Any) -> None:
    acct = await signup()
    tabs = [await open_tab(acct), await open_tab(acct),
            await open_tab(acct, transports=["polling"])]
    manager = app[SIO].manager
    assert isinstance(manager, FanoutManager)
    assert manager.websockets is not None and len(manager.websockets) == 2
    # two publishers at once: each event reaches every tab exactly once, in log order
    first, second = await asyncio.gather(_publish(app, acct.user_id, 150),
                                         _publish(app, acct.user_id, 150))
    for tab in tabs:
        await tab.wait_stream(300)
        await asyncio.sleep(0.05)
        ids = tab.stream_ids()
        assert sorted(ids, key=lambda i: tuple(map(int, i.split("-")))) == ids
        assert set(ids) == set(first) | set(second) and len(ids) == 300


async def test_client_acks_arrive_while_the_room_is_being_fanned_out(
        app: Any, signup: Any, open_tab: Any) -> None:
    acct = await signup()
    tab: Tab = await open_tab(acct)
    burst = asyncio.create_task(_publish(app, acct.user_id, 200))
    acks = [await tab.call("ping", {}) for _ in range(5)]
    ids = await burst
    assert all("server_time" in ack for ack in acks)
    await tab.wait_stream(200)
    assert tab.stream_ids() == ids


async def test_binary_payloads_still_reach_the_room(app: Any, signup: Any,
                                                    open_tab: Any) -> None:
    acct = await signup()
    tab: Tab = await open_tab(acct)
    got: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    tab.client.on("blob", lambda data: got.set_result(data), namespace=NAMESPACE)
    # the manager itself (the server-level emit only allows the documented events)
    await app[SIO].manager.emit("blob", {"bytes": b"\x00\xff"}, NAMESPACE,
                                room=f"user:{acct.user_id}")
    assert await asyncio.wait_for(got, 5) == {"bytes": b"\x00\xff"}


def test_text_frame_uses_the_three_rfc6455_length_forms() -> None:
    assert text_frame(b"hi") == b"\x81\x02hi"
    assert text_frame(b"x" * 200)[:4] == b"\x81\x7e" + struct.pack("!H", 200)
    big = text_frame(b"x" * 70_000)
    assert big[:10] == b"\x81\x7f" + struct.pack("!Q", 70_000) and len(big) == 70_010


def test_the_fast_manager_is_python_socketios_in_process_manager_underneath() -> None:
    assert isinstance(create_manager(), FanoutManager)
    assert isinstance(create_manager(), socketio.AsyncManager)


async def test_events_published_in_one_process_reach_tabs_of_another_through_redis(
        aiohttp_client: Any, tmp_path: Any) -> None:
    redis_url = await redis_url_or_skip()
    channel = f"taskpulse-test-{uuid.uuid4().hex}"
    servers = []
    for name in ("a", "b"):
        app = create_app(make_config(redis_url=redis_url, var_dir=str(tmp_path / name)))
        app[RELAY].channel = app[BATCH_READERS].channel = channel
        servers.append((app, await aiohttp_client(app)))
    (app_a, client_a), (app_b, client_b) = servers
    assert isinstance(app_b[SIO].manager, FanoutManager)
    resp = await client_a.post("/api/auth/signup", json={
        "email": "redis@example.com", "password": "correct horse battery"})
    body = await resp.json()
    user_id, token = body["user"]["id"], body["token"]
    tabs = []
    for client in (client_a, client_b):
        tab = Tab(str(client.make_url("")).rstrip("/"))
        await tab.connect({"token": token})
        tabs.append(tab)
    await asyncio.sleep(0.3)   # the Redis listeners subscribe in the background
    try:
        ids = await _publish(app_a, user_id, 50)
        for tab in tabs:
            await tab.wait_stream(50)
            assert tab.stream_ids() == ids
    finally:
        for tab in tabs:
            await tab.close()


class _CountingTransport:
    """The real transport, with its writes counted (the socket is the boundary here)."""

    def __init__(self, real: Any) -> None:
        self.real, self.writes = real, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def write(self, data: bytes) -> None:
        self.writes += 1
        self.real.write(data)


async def test_a_burst_reaches_each_websocket_tab_in_two_socket_writes(
        app: Any, signup: Any, open_tab: Any) -> None:
    acct = await signup()
    tabs = [await open_tab(acct), await open_tab(acct)]
    counters = []
    for ws in app[SIO].manager.websockets.values():
        ws.transport = _CountingTransport(ws.transport)
        counters.append(ws.transport)
    ids = await _publish(app, acct.user_id, 50)     # one loop turn: nothing awaits
    for tab in tabs:
        await tab.wait_stream(50)
        assert tab.stream_ids() == ids
    # the first event at once, the other 49 together at the end of the loop turn
    assert [c.writes for c in counters] == [2, 2]


async def test_frames_held_for_the_turn_never_overtake_a_queued_packet(
        app: Any, signup: Any, open_tab: Any) -> None:
    acct = await signup()
    tab: Tab = await open_tab(acct)
    seen: list[str] = []
    tab.client.on("*", lambda name, *_: seen.append(name), namespace=NAMESPACE)
    manager = app[SIO].manager
    room = f"user:{acct.user_id}"
    await manager.emit("first", {"n": 0}, NAMESPACE, room=room)         # written at once
    await manager.emit("before", {"n": 1}, NAMESPACE, room=room)        # held for the turn
    await manager.emit("blob", {"b": b"\x01"}, NAMESPACE, room=room)    # queued (binary)
    await manager.emit("after", {"n": 2}, NAMESPACE, room=room)         # behind the blob
    for _ in range(100):
        if len(seen) == 4:
            break
        await asyncio.sleep(0.02)
    assert seen == ["first", "before", "blob", "after"]


async def test_an_emit_to_a_room_with_nobody_in_it_encodes_nothing(
        app: Any, signup: Any, open_tab: Any, monkeypatch: Any) -> None:
    acct = await signup()
    await open_tab(acct)
    manager = app[SIO].manager
    encoded: list[str] = []
    encode = manager.encode_event

    def counted(namespace: str, data: list[Any]) -> Any:
        encoded.append(data[0])
        return encode(namespace, data)

    monkeypatch.setattr(manager, "encode_event", counted)
    await manager.emit("nobody", {"n": 0}, NAMESPACE, room="user:nobody-here")
    await manager.emit("someone", {"n": 1}, NAMESPACE, room=f"user:{acct.user_id}")
    assert encoded == ["someone"]


async def test_no_frame_is_written_to_a_websocket_whose_engineio_socket_closed(
        app: Any, signup: Any, open_tab: Any) -> None:
    acct = await signup()
    await open_tab(acct)
    (ws,) = app[SIO].manager.websockets.values()
    ws.transport = counter = _CountingTransport(ws.transport)
    assert ws.writable_now()
    ws.eio_socket.closed = True     # closing: python-engineio sets this first
    try:
        assert not ws.writable_now()
        await app[SIO].manager.emit("late", {"n": 0}, NAMESPACE, room=f"user:{acct.user_id}")
        assert counter.writes == 0 and ws.eio_socket.queue.qsize() == 0
    finally:
        ws.eio_socket.closed = False
