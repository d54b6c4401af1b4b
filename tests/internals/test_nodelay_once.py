"""Hook ``nodelay_once``: aiohttp no longer sets TCP_NODELAY a second time, and every
accepted connection still has it on, on both event loops the server runs on."""
from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest
import uvloop
from aiohttp import base_protocol, web

from taskpulse.internals import nodelay_once

LOOPS: dict[str, Callable[[Coroutine[Any, Any, Any]], Any]] = {
    "asyncio": asyncio.run, "uvloop": uvloop.run}


@pytest.fixture
def aiohttp_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """aiohttp's own ``tcp_nodelay``, counting its calls (the hook installed over it)."""
    calls: list[bool] = []
    original = base_protocol.tcp_nodelay

    def counted(transport: Any, value: bool) -> None:
        calls.append(value)
        original(transport, value)

    nodelay_once.uninstall()
    monkeypatch.setattr(base_protocol, "tcp_nodelay", counted)
    yield calls
    nodelay_once.uninstall()


async def _accepted_socket_options(handed_over: bool) -> dict[str, int]:
    """Serve one request; the options of the socket aiohttp accepted it on. ``handed_over``:
    the server listens on a socket made beforehand with protocol 0 (as aiohttp's test
    server and socket activation hand one over), not one the loop bound itself."""
    async def options(request: web.Request) -> web.Response:
        sock = request.transport.get_extra_info("socket")   # type: ignore[union-attr]
        return web.json_response({
            "nodelay": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY),
            "keepalive": sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)})

    app = web.Application(handler_args={"tcp_keepalive": False})
    app.router.add_get("/", options)
    runner = web.AppRunner(app)
    await runner.setup()
    site: web.BaseSite
    if handed_over:
        listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listening.bind(("127.0.0.1", 0))
        site = web.SockSite(runner, listening)
    else:
        site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        body = (await reader.read()).split(b"\r\n\r\n", 1)[1]
        writer.close()
        return dict(json.loads(body))
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("handed_over", [False, True], ids=["bound", "protocol-0-socket"])
def test_on_uvloop_accepted_connections_have_nodelay_without_aiohttp_setting_it(
        aiohttp_calls: list[bool], handed_over: bool) -> None:
    nodelay_once.install()
    options = uvloop.run(_accepted_socket_options(handed_over))
    assert options["nodelay"] == 1
    assert aiohttp_calls == []


@pytest.mark.parametrize("handed_over", [False, True], ids=["bound", "protocol-0-socket"])
def test_on_asyncios_loop_aiohttp_still_sets_nodelay(aiohttp_calls: list[bool],
                                                     handed_over: bool) -> None:
    """asyncio's loop sets it only on sockets made with IPPROTO_TCP."""
    nodelay_once.install()
    options = asyncio.run(_accepted_socket_options(handed_over))
    assert options["nodelay"] == 1
    assert aiohttp_calls == [True]


@pytest.mark.parametrize("loop", LOOPS)
def test_without_the_hook_aiohttp_sets_nodelay_itself(aiohttp_calls: list[bool],
                                                      loop: str) -> None:
    options = LOOPS[loop](_accepted_socket_options(False))
    assert options["nodelay"] == 1
    assert aiohttp_calls == [True]


async def _turned_off_on_a_loop_transport() -> int:
    """aiohttp asked to turn TCP_NODELAY off on an accepted transport: the option after."""
    accepted: asyncio.Future[asyncio.Transport] = asyncio.get_running_loop().create_future()

    class Keep(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            accepted.set_result(transport)   # type: ignore[arg-type]

    server = await asyncio.get_running_loop().create_server(Keep, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    transport = await accepted
    base_protocol.tcp_nodelay(transport, False)
    value = int(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP,
                                                              socket.TCP_NODELAY))
    writer.close()
    transport.close()
    server.close()
    return value


def test_turning_nodelay_off_or_another_transport_still_goes_to_aiohttp(
        aiohttp_calls: list[bool]) -> None:
    nodelay_once.install()

    class OtherTransport:
        def get_extra_info(self, name: str) -> None:
            return None

    base_protocol.tcp_nodelay(OtherTransport(), True)    # type: ignore[arg-type]
    assert aiohttp_calls == [True]
    assert uvloop.run(_turned_off_on_a_loop_transport()) == 0
    assert aiohttp_calls == [True, False]
