"""Benchmark-only control routes shared by the Python servers (never in production).

``POST /bench/setup?users=N`` -> ``{ids, tokens}``; ``POST /bench/burst?users=N&events=E``
emits E events to each user's room (users concurrently, each user's events in order);
``POST /bench/pace?users=N&rate=R&seconds=S[&overlap=1]`` emits R events/s round-robin
for S seconds in the background (``overlap=1``: each publish starts on time without
waiting for the previous one to finish, as the Node peer's emits do and as a server's many
publishers do; a user's events still start in order); ``POST /bench/stop?users=N`` ends
every paced stream at once and answers ``{published}``: how many events each of the first
N users has been sent. The servers bind 127.0.0.1 only.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

Emit = Callable[[str, int], Awaitable[Any]]          # (user_id, seq) -> emitted
Setup = Callable[[int], Awaitable[tuple[list[str], list[str]]]]   # n -> (ids, tokens)

_TASKS: web.AppKey[set[asyncio.Task[None]]] = web.AppKey("bench_tasks")


async def default_setup(n: int) -> tuple[list[str], list[str]]:
    ids = [f"u{i}" for i in range(n)]
    return ids, ids


def add_control_routes(app: web.Application, emit: Emit, setup: Setup = default_setup) -> None:
    state: dict[str, Any] = {"ids": [], "seq": {}, "stopping": False}
    app[_TASKS] = set()

    def next_seq(user_id: str) -> int:
        n = state["seq"].get(user_id, 0) + 1
        state["seq"][user_id] = n
        return n

    def ids(request: web.Request) -> list[str]:
        n = int(request.query.get("users", "0"))
        if n > len(state["ids"]):
            raise web.HTTPBadRequest(text="call /bench/setup first")
        return list(state["ids"][:n])

    async def setup_route(request: web.Request) -> web.Response:
        n = int(request.query.get("users", "0"))
        user_ids, tokens = await setup(n)
        state["ids"] = user_ids
        return web.json_response({"ids": user_ids, "tokens": tokens})

    async def burst(request: web.Request) -> web.Response:
        users = ids(request)
        events = int(request.query.get("events", "0"))
        overlap = request.query.get("overlap") == "1"

        async def one_user(user_id: str) -> None:
            if overlap:   # each started in order, none waiting for the one before
                await asyncio.gather(*(emit(user_id, next_seq(user_id))
                                       for _ in range(events)))
                return
            for _ in range(events):
                await emit(user_id, next_seq(user_id))

        await asyncio.gather(*(one_user(u) for u in users))
        return web.json_response({"emitted": len(users) * events})

    async def pace(request: web.Request) -> web.Response:
        users = ids(request)
        rate = float(request.query["rate"])
        total = round(rate * float(request.query["seconds"]))
        overlap = request.query.get("overlap") == "1"
        started: set[asyncio.Future[Any]] = set()

        async def run() -> None:
            start = time.perf_counter()
            sent = 0
            while sent < total and not state["stopping"]:
                due = min(total, int((time.perf_counter() - start) * rate))
                while sent < due and not state["stopping"]:
                    user_id = users[sent % len(users)]
                    sent += 1
                    publish = emit(user_id, next_seq(user_id))
                    if overlap:
                        task = asyncio.ensure_future(publish)
                        started.add(task)
                        task.add_done_callback(started.discard)
                    else:
                        await publish
                await asyncio.sleep(0.001)
            await asyncio.gather(*started)

        task = asyncio.get_running_loop().create_task(run())
        app[_TASKS].add(task)
        task.add_done_callback(app[_TASKS].discard)
        return web.json_response({"events": total})

    async def stop(request: web.Request) -> web.Response:
        state["stopping"] = True    # each stream ends between two events (none cut in half)
        await asyncio.gather(*app[_TASKS], return_exceptions=True)
        state["stopping"] = False
        return web.json_response({"published": [state["seq"].get(u, 0) for u in ids(request)]})

    app.router.add_post("/bench/setup", setup_route)
    app.router.add_post("/bench/stop", stop)
    app.router.add_post("/bench/burst", burst)
    app.router.add_post("/bench/pace", pace)
