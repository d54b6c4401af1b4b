"""The TCP options of accepted connections: NODELAY on, the kernel's keep-alive probes only
when ``http_tcp_keepalive`` asks for them (the server's own pings find dead peers)."""
from __future__ import annotations

import socket

from aiohttp import web

from taskpulse.app import create_app


async def _socket_options(request: web.Request) -> web.Response:
    sock = request.transport.get_extra_info("socket")   # type: ignore[union-attr]
    return web.json_response({
        "nodelay": sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY),
        "keepalive": sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)})


async def _options_of_an_accepted_connection(aiohttp_client, config) -> dict[str, int]:
    app = create_app(config)
    app.router.add_get("/test/socket-options", _socket_options)
    client = await aiohttp_client(app)
    resp = await client.get("/test/socket-options")
    assert resp.status == 200
    return dict(await resp.json())


async def test_accepted_connections_have_nodelay_and_no_kernel_keepalive_by_default(
        aiohttp_client, config):
    assert await _options_of_an_accepted_connection(aiohttp_client, config) == {
        "nodelay": 1, "keepalive": 0}


async def test_http_tcp_keepalive_turns_the_kernel_keepalive_probes_on(aiohttp_client, config):
    options = await _options_of_an_accepted_connection(
        aiohttp_client, config.replace(http_tcp_keepalive=True))
    assert options == {"nodelay": 1, "keepalive": 1}
