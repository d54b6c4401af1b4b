"""Plain python-socketio on aiohttp with its defaults: the same rooms and events as Taskpulse.

``python -m benchmarks.peers.sio_server [--port P] [--uvloop]``
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import socketio
from aiohttp import web

from benchmarks.control import add_control_routes
from benchmarks.payload import EVENT, make_event
from benchmarks.serve import parse_args, run

NAMESPACE = "/chat"


def make_app() -> web.Application:
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")
    app = web.Application()
    sio.attach(app)

    @sio.on("connect", namespace=NAMESPACE)  # type: ignore[untyped-decorator]
    async def connect(sid: str, environ: dict[str, Any], auth: Any) -> bool:
        user_id = str((auth or {}).get("token") or "")
        if not user_id:
            return False
        await sio.enter_room(sid, f"user:{user_id}", namespace=NAMESPACE)
        transport = sio.transport(sid, namespace=NAMESPACE)
        await sio.emit("connection_established", {
            "message": "Connected to real-time updates", "user_id": user_id, "sid": sid,
            "transport": transport,
            "server_time": datetime.now(timezone.utc).isoformat(),
            "protocol_version": 1, "last_event_id": None,
        }, to=sid, namespace=NAMESPACE)
        return True

    async def emit(user_id: str, n: int) -> None:
        await sio.emit(EVENT, make_event(user_id, n), room=f"user:{user_id}",
                       namespace=NAMESPACE)

    add_control_routes(app, emit)
    return app


if __name__ == "__main__":
    args = parse_args()
    run(make_app, args.port, args.uvloop)
