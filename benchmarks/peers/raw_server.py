"""A raw aiohttp WebSocket broadcaster: rooms and the same event, no Socket.IO framing.

Clients connect to ``/ws?token=<user id>``; each event is a text frame
``["task_created", {...}]`` encoded once and written to every socket of the user.
Per-message deflate is refused, as the Node Socket.IO server does by default.
``python -m benchmarks.peers.raw_server [--port P] [--uvloop]``
"""
from __future__ import annotations

import json

from aiohttp import WSMsgType, web

from benchmarks.control import add_control_routes
from benchmarks.payload import EVENT, make_event
from benchmarks.serve import parse_args, run


def make_app() -> web.Application:
    rooms: dict[str, set[web.WebSocketResponse]] = {}
    app = web.Application()

    async def ws_handler(request: web.Request) -> web.WebSocketResponse:
        user_id = request.query.get("token", "")
        ws = web.WebSocketResponse(compress=False, heartbeat=25)
        await ws.prepare(request)
        if not user_id:
            await ws.close()
            return ws
        room = rooms.setdefault(user_id, set())
        room.add(ws)
        await ws.send_str(json.dumps(["connection_established", {"user_id": user_id}]))
        try:
            async for msg in ws:
                if msg.type == WSMsgType.ERROR:
                    break
        finally:
            room.discard(ws)
        return ws

    async def emit(user_id: str, n: int) -> None:
        frame = json.dumps([EVENT, make_event(user_id, n)], separators=(",", ":"))
        for ws in list(rooms.get(user_id, ())):
            if not ws.closed:
                await ws.send_str(frame)

    app.router.add_get("/ws", ws_handler)
    add_control_routes(app, emit)
    return app


if __name__ == "__main__":
    args = parse_args()
    run(make_app, args.port, args.uvloop)
